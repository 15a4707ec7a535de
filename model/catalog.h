#pragma once

// Names of a scenario's companies, items and manual nodes, and the lookups between names and
// ids. Item names are unique across companies, so an item id also tells its company.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/ids.h"

namespace reviewsim {

class Catalog {
 public:
  struct Item {
    std::string name;
    CompanyId company = 0;
  };

  // Adds a company and returns its id. Requires a name not added before.
  CompanyId add_company(std::string name);
  // Adds an item of `company` and returns its id. Requires a name not added before.
  ItemId add_item(CompanyId company, std::string name);

  std::size_t companies_count() const { return companies_.size(); }
  std::size_t items_count() const { return items_.size(); }
  const std::string& company_name(CompanyId company) const;
  const Item& item(ItemId item) const;
  const std::string& item_name(ItemId item) const { return this->item(item).name; }
  CompanyId company_of(ItemId item) const { return this->item(item).company; }
  std::span<const ItemId> items_of(CompanyId company) const;

  std::optional<CompanyId> find_company(std::string_view name) const;
  std::optional<ItemId> find_item(std::string_view name) const;

 private:
  std::vector<std::string> companies_;
  std::vector<Item> items_;
  std::vector<std::vector<ItemId>> items_by_company_;
  std::map<std::string, CompanyId, std::less<>> company_ids_;
  std::map<std::string, ItemId, std::less<>> item_ids_;
};

// "u1".."u5" for users, "import" for kImportUser.
std::string user_name(UserId user);
// Parses "u1".."u5" or "import"; nullopt for anything else.
std::optional<UserId> parse_user_name(std::string_view name);

}  // namespace reviewsim
