#pragma once

// Replays a run's commits over its initial store, in step order, to learn when each decision
// became visible, when it disappeared again, and which writes put an entry under a foreign
// company's key or an item into two statuses at once. Every checker reads this one replay.

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "model/observations.h"

namespace reviewsim {

class StoreTimeline {
 public:
  struct MisplacedWrite {
    DecisionId decision;
    std::size_t commit_index = 0;
  };
  struct DoubleStatus {
    CompanyId company = 0;
    ItemId item = 0;
    std::vector<Status> statuses;
    std::size_t commit_index = 0;
  };

  explicit StoreTimeline(const Observations& observations);

  // The commit that first made the decision visible under its own company's key: for a clear,
  // its first removal; nullopt when that never happened.
  std::optional<std::size_t> first_commit(DecisionId decision) const;
  // The last commit that took the decision's entry out of its company's state, if any.
  std::optional<std::size_t> last_removal(DecisionId decision) const;
  const std::vector<MisplacedWrite>& misplaced_writes() const { return misplaced_writes_; }
  const std::vector<DoubleStatus>& double_statuses() const { return double_statuses_; }
  // The store as the commits describe it after the last one, by company.
  const std::vector<CompanyState>& replayed_store() const { return shadow_; }

 private:
  void replay(std::size_t commit_index, const Commit& commit);
  void note_removed(CompanyId company, const Entry& entry, std::size_t commit_index);
  void note_put(CompanyId company, ItemId item, const Entry& entry, std::size_t commit_index);
  void check_double_status(CompanyId company, ItemId item, std::size_t commit_index);

  std::map<DecisionId, CompanyId> company_of_decision_;
  std::vector<CompanyState> shadow_;
  std::map<DecisionId, std::size_t> first_commit_;
  std::map<DecisionId, std::size_t> last_removal_;
  std::map<std::pair<DecisionId, CompanyId>, bool> misplaced_seen_;
  std::map<std::pair<CompanyId, ItemId>, bool> double_seen_;
  std::vector<MisplacedWrite> misplaced_writes_;
  std::vector<DoubleStatus> double_statuses_;
};

}  // namespace reviewsim
