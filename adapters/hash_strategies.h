#pragma once

// hset and hset-multi: the hash layout of the fix. Each company has three hashes,
// match-review:<company>:approved, :rejected and :manual; the field is the item name and the
// value the entry JSON. A decision is one HSET into its status hash and one HDEL from each of
// the other two (a clear: three HDELs). hset sends them as separate commands, so other
// commands can run between them; hset-multi wraps each decision, and each load, in MULTI/EXEC.

#include "adapters/strategy.h"

namespace reviewsim {

class HashStrategy final : public Strategy {
 public:
  HashStrategy(const Catalog& catalog, bool transactional);

  std::string_view name() const override { return transactional_ ? "hset-multi" : "hset"; }
  Program<SaveOutcome> save(SaveRequest request) const override;
  Program<LoadOutcome> load(CompanyId company) const override;
  Program<SaveOutcome> seed(CompanyId company, CompanyState state) const override;

 private:
  // The commands of one decision written under `key_company`, each with its delta.
  std::vector<std::pair<Command, StoreDelta>> decision_commands(CompanyId key_company,
                                                                const Decision& decision) const;

  const Catalog& catalog_;
  bool transactional_;
};

}  // namespace reviewsim
