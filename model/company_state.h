#pragma once

// A company's review state in the app's shape: three maps (approved, rejected, manual) from
// item to entry. The same type holds a user's view, a load's result and a decoded store, so a
// state with an item in two maps (a status conflict) is representable on purpose.

#include <array>
#include <map>
#include <string>
#include <vector>

#include "model/decision.h"
#include "model/ids.h"

namespace reviewsim {

// One stored decision: who decided, when, and the manual node for manual matches.
struct Entry {
  DecisionId id;
  TimeMs at_ms = 0;
  std::string node;

  friend bool operator==(const Entry&, const Entry&) = default;
};

Entry entry_of(const Decision& decision);

class CompanyState {
 public:
  using StatusMap = std::map<ItemId, Entry>;

  const StatusMap& map(Status status) const { return maps_[static_cast<int>(status)]; }
  StatusMap& map(Status status) { return maps_[static_cast<int>(status)]; }

  // Applies a decision as the app does: the item leaves every status map and, unless the
  // decision is a clear, enters the map of its target status.
  void apply(const Decision& decision);
  // Removes the item from every status map.
  void erase(ItemId item);
  // Puts the item into exactly one status map.
  void put(ItemId item, Status status, Entry entry);

  // The statuses that currently hold the item, in status order.
  std::vector<Status> statuses_of(ItemId item) const;
  const Entry* find(ItemId item, Status status) const;
  std::size_t entries_count() const;
  bool empty() const { return entries_count() == 0; }

  friend bool operator==(const CompanyState&, const CompanyState&) = default;

 private:
  std::array<StatusMap, kStatusCount> maps_;
};

}  // namespace reviewsim
