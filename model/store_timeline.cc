#include "model/store_timeline.h"

#include "model/assert.h"

namespace reviewsim {

StoreTimeline::StoreTimeline(const Observations& observations)
    : shadow_(observations.initial_store) {
  for (const DecisionRecord& record : observations.decisions) {
    company_of_decision_.emplace(record.decision.id, record.decision.company);
  }
  // The writes of one step (an EXEC) land together, so an item is checked for two statuses
  // only once every write of its step has been replayed.
  const auto& commits = observations.commits;
  std::vector<std::pair<CompanyId, ItemId>> touched;
  for (std::size_t index = 0; index < commits.size(); ++index) {
    if (index > 0) RS_ASSERT(commits[index - 1].step <= commits[index].step);
    replay(index, commits[index]);
    for (const EntryPut& put : commits[index].delta.puts) {
      touched.emplace_back(commits[index].delta.key_company, put.item);
    }
    const bool step_ends = index + 1 == commits.size() || commits[index + 1].step != commits[index].step;
    if (!step_ends) continue;
    for (const auto& [company, item] : touched) check_double_status(company, item, index);
    touched.clear();
  }
}

std::optional<std::size_t> StoreTimeline::first_commit(DecisionId decision) const {
  const auto found = first_commit_.find(decision);
  if (found == first_commit_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::size_t> StoreTimeline::last_removal(DecisionId decision) const {
  const auto found = last_removal_.find(decision);
  if (found == last_removal_.end()) return std::nullopt;
  return found->second;
}

void StoreTimeline::replay(std::size_t commit_index, const Commit& commit) {
  const StoreDelta& delta = commit.delta;
  RS_ASSERT(delta.key_company < shadow_.size());
  CompanyState& state = shadow_[delta.key_company];

  if (delta.replaces_company) {
    CompanyState replacement;
    for (const EntryPut& put : delta.puts) replacement.map(put.status)[put.item] = put.entry;
    for (const Status status : kStatuses) {
      for (const auto& [item, entry] : state.map(status)) {
        const Entry* kept = replacement.find(item, status);
        if (kept == nullptr || kept->id != entry.id) {
          note_removed(delta.key_company, entry, commit_index);
        }
      }
    }
    state = std::move(replacement);
  }

  for (const EntryRemoval& removal : delta.removals) {
    // A removal on the decision's own company makes a clear visible, even when the item was
    // already absent.
    const auto cause_company = company_of_decision_.find(removal.cause);
    if (cause_company != company_of_decision_.end() &&
        cause_company->second == delta.key_company) {
      first_commit_.try_emplace(removal.cause, commit_index);
    }
    auto& status_map = state.map(removal.status);
    const auto found = status_map.find(removal.item);
    if (found == status_map.end()) continue;
    note_removed(delta.key_company, found->second, commit_index);
    status_map.erase(found);
  }

  for (const EntryPut& put : delta.puts) {
    if (!delta.replaces_company) {
      auto& status_map = state.map(put.status);
      const auto found = status_map.find(put.item);
      if (found != status_map.end() && found->second.id != put.entry.id) {
        note_removed(delta.key_company, found->second, commit_index);
      }
      status_map.insert_or_assign(put.item, put.entry);
    }
    note_put(delta.key_company, put.item, put.entry, commit_index);
  }
}

void StoreTimeline::note_removed(CompanyId company, const Entry& entry, std::size_t commit_index) {
  const auto own_company = company_of_decision_.find(entry.id);
  if (own_company == company_of_decision_.end() || own_company->second != company) return;
  last_removal_[entry.id] = commit_index;
}

void StoreTimeline::note_put(CompanyId company, ItemId /*item*/, const Entry& entry,
                             std::size_t commit_index) {
  const auto own_company = company_of_decision_.find(entry.id);
  // Entries of the initial store have no decision record and are in place by construction.
  if (own_company == company_of_decision_.end()) return;

  if (own_company->second == company) {
    first_commit_.try_emplace(entry.id, commit_index);
    return;
  }
  if (misplaced_seen_.emplace(std::make_pair(entry.id, company), true).second) {
    misplaced_writes_.push_back(MisplacedWrite{entry.id, commit_index});
  }
}

void StoreTimeline::check_double_status(CompanyId company, ItemId item, std::size_t commit_index) {
  std::vector<Status> statuses = shadow_[company].statuses_of(item);
  if (statuses.size() < 2) return;
  if (!double_seen_.emplace(std::make_pair(company, item), true).second) return;
  double_statuses_.push_back(DoubleStatus{company, item, std::move(statuses), commit_index});
}

}  // namespace reviewsim
