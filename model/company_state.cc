#include "model/company_state.h"

namespace reviewsim {

Entry entry_of(const Decision& decision) {
  return Entry{decision.id, decision.at_ms, decision.node};
}

void CompanyState::apply(const Decision& decision) {
  erase(decision.item);
  if (const auto status = target_status(decision.kind)) {
    map(*status).insert_or_assign(decision.item, entry_of(decision));
  }
}

void CompanyState::erase(ItemId item) {
  for (auto& status_map : maps_) status_map.erase(item);
}

void CompanyState::put(ItemId item, Status status, Entry entry) {
  erase(item);
  map(status).insert_or_assign(item, std::move(entry));
}

std::vector<Status> CompanyState::statuses_of(ItemId item) const {
  std::vector<Status> statuses;
  for (const Status status : kStatuses) {
    if (map(status).contains(item)) statuses.push_back(status);
  }
  return statuses;
}

const Entry* CompanyState::find(ItemId item, Status status) const {
  const auto& status_map = map(status);
  const auto found = status_map.find(item);
  return found == status_map.end() ? nullptr : &found->second;
}

std::size_t CompanyState::entries_count() const {
  std::size_t count = 0;
  for (const auto& status_map : maps_) count += status_map.size();
  return count;
}

}  // namespace reviewsim
