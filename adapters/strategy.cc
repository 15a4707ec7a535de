#include "adapters/strategy.h"

#include <array>

#include "adapters/blob_strategies.h"
#include "adapters/hash_strategies.h"

namespace reviewsim {

namespace {
constexpr std::array<std::string_view, 4> kStrategyNames = {"full-overwrite", "read-merge-write",
                                                            "hset", "hset-multi"};
}

std::span<const std::string_view> strategy_names() { return kStrategyNames; }

std::unique_ptr<Strategy> make_strategy(std::string_view name, const Catalog& catalog) {
  if (name == "full-overwrite") return std::make_unique<FullOverwriteStrategy>(catalog);
  if (name == "read-merge-write") return std::make_unique<ReadMergeWriteStrategy>(catalog);
  if (name == "hset") return std::make_unique<HashStrategy>(catalog, /*transactional=*/false);
  if (name == "hset-multi") return std::make_unique<HashStrategy>(catalog, /*transactional=*/true);
  return nullptr;
}

std::string blob_key(const Catalog& catalog, CompanyId company) {
  return "match-review:" + catalog.company_name(company);
}

std::string hash_key(const Catalog& catalog, CompanyId company, Status status) {
  std::string key = blob_key(catalog, company);
  key += ':';
  key += status_name(status);
  return key;
}

}  // namespace reviewsim
