#include "model/catalog.h"

#include "model/assert.h"

namespace reviewsim {

std::string_view status_name(Status status) {
  switch (status) {
    case Status::approved: return "approved";
    case Status::rejected: return "rejected";
    case Status::manual: return "manual";
  }
  RS_ASSERT(false);
}

CompanyId Catalog::add_company(std::string name) {
  RS_ASSERT(!company_ids_.contains(name));
  const auto company = static_cast<CompanyId>(companies_.size());
  company_ids_.emplace(name, company);
  companies_.push_back(std::move(name));
  items_by_company_.emplace_back();
  return company;
}

ItemId Catalog::add_item(CompanyId company, std::string name) {
  RS_ASSERT(company < companies_.size());
  RS_ASSERT(!item_ids_.contains(name));
  const auto item = static_cast<ItemId>(items_.size());
  item_ids_.emplace(name, item);
  items_.push_back(Item{std::move(name), company});
  items_by_company_[company].push_back(item);
  return item;
}

const std::string& Catalog::company_name(CompanyId company) const {
  RS_ASSERT(company < companies_.size());
  return companies_[company];
}

const Catalog::Item& Catalog::item(ItemId item) const {
  RS_ASSERT(item < items_.size());
  return items_[item];
}

std::span<const ItemId> Catalog::items_of(CompanyId company) const {
  RS_ASSERT(company < items_by_company_.size());
  return items_by_company_[company];
}

std::optional<CompanyId> Catalog::find_company(std::string_view name) const {
  const auto found = company_ids_.find(name);
  if (found == company_ids_.end()) return std::nullopt;
  return found->second;
}

std::optional<ItemId> Catalog::find_item(std::string_view name) const {
  const auto found = item_ids_.find(name);
  if (found == item_ids_.end()) return std::nullopt;
  return found->second;
}

std::string user_name(UserId user) {
  if (user == kImportUser) return "import";
  RS_ASSERT(user <= kUsersMax);
  std::string name(1, 'u');
  name += static_cast<char>('0' + user);
  return name;
}

std::optional<UserId> parse_user_name(std::string_view name) {
  if (name == "import") return kImportUser;
  if (name.size() != 2 || name[0] != 'u') return std::nullopt;
  const int number = name[1] - '0';
  if (number < 1 || number > kUsersMax) return std::nullopt;
  return static_cast<UserId>(number);
}

}  // namespace reviewsim
