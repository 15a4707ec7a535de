#pragma once

// full-overwrite and read-merge-write: the blob layout, one JSON string per company.

#include "adapters/strategy.h"

namespace reviewsim {

class BlobStrategy : public Strategy {
 public:
  explicit BlobStrategy(const Catalog& catalog);

  Program<LoadOutcome> load(CompanyId company) const override;
  Program<SaveOutcome> seed(CompanyId company, CompanyState state) const override;

 protected:
  const Catalog& catalog_;
};

class FullOverwriteStrategy final : public BlobStrategy {
 public:
  using BlobStrategy::BlobStrategy;
  std::string_view name() const override { return "full-overwrite"; }
  Program<SaveOutcome> save(SaveRequest request) const override;
};

class ReadMergeWriteStrategy final : public BlobStrategy {
 public:
  using BlobStrategy::BlobStrategy;
  std::string_view name() const override { return "read-merge-write"; }
  Program<SaveOutcome> save(SaveRequest request) const override;
};

}  // namespace reviewsim
