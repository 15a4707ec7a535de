#include "model/checkers.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "model/assert.h"
#include "model/store_timeline.h"

namespace reviewsim {

namespace {

std::string item_path(const Catalog& catalog, CompanyId company, ItemId item) {
  return fmt::format("{}/{}", catalog.company_name(company), catalog.item_name(item));
}

std::string describe_decision(const DecisionRecord& record, const Catalog& catalog) {
  const Decision& decision = record.decision;
  return fmt::format("{}'s {} of {} (step {}, t={} ms)", user_name(decision.id.user),
                     decision_kind_name(decision.kind),
                     item_path(catalog, decision.company, decision.item), record.step,
                     decision.at_ms);
}

std::string describe_commit(const Commit& commit) {
  return fmt::format("step {} ({}: {}{})", commit.step, user_name(commit.user), commit.command,
                     commit.by_exec ? " (by EXEC)" : "");
}

// Describes what the store contains for one item, for example "approved by u2".
std::string describe_stored(const CompanyState& state, ItemId item) {
  const std::vector<Status> statuses = state.statuses_of(item);
  if (statuses.empty()) return "no entry";
  std::string text;
  for (const Status status : statuses) {
    if (!text.empty()) text += " and ";
    text += fmt::format("{} by {}", status_name(status), user_name(state.find(item, status)->id.user));
  }
  return text;
}

bool is_present(const Decision& decision, const CompanyState& store) {
  const auto status = target_status(decision.kind);
  if (!status) return store.statuses_of(decision.item).empty();
  const Entry* entry = store.find(decision.item, *status);
  return entry != nullptr && entry->id == decision.id;
}

void sort_by_first_step(std::vector<Anomaly>& anomalies) {
  std::stable_sort(anomalies.begin(), anomalies.end(), [](const Anomaly& a, const Anomaly& b) {
    const std::uint32_t a_step = a.steps.empty() ? 0 : a.steps.front();
    const std::uint32_t b_step = b.steps.empty() ? 0 : b.steps.front();
    return a_step < b_step;
  });
}

void finish(Anomaly& anomaly) {
  std::sort(anomaly.steps.begin(), anomaly.steps.end());
  anomaly.steps.erase(std::unique(anomaly.steps.begin(), anomaly.steps.end()), anomaly.steps.end());
  std::sort(anomaly.users.begin(), anomaly.users.end());
  anomaly.users.erase(std::unique(anomaly.users.begin(), anomaly.users.end()), anomaly.users.end());
}

}  // namespace

std::vector<Anomaly> check_all(const Observations& observations, const Catalog& catalog) {
  const StoreTimeline timeline(observations);

  // The deltas the strategies attach must describe the store exactly; a difference is a bug in
  // a strategy, not a finding about the run.
  RS_ASSERT(timeline.replayed_store() == observations.final_store);

  std::vector<Anomaly> anomalies;
  const auto append = [&anomalies](std::vector<Anomaly> found) {
    for (Anomaly& anomaly : found) anomalies.push_back(std::move(anomaly));
  };
  append(check_lost_updates(observations, timeline, catalog));
  append(check_wrong_company_writes(observations, timeline, catalog));
  append(check_divergence(observations, catalog));
  append(check_status_conflicts(observations, timeline, catalog));
  return anomalies;
}

std::vector<Anomaly> check_lost_updates(const Observations& observations,
                                        const StoreTimeline& timeline, const Catalog& catalog) {
  std::map<DecisionId, const DecisionRecord*> records;
  std::map<std::pair<CompanyId, ItemId>, std::vector<const DecisionRecord*>> by_item;
  for (const DecisionRecord& record : observations.decisions) {
    records.emplace(record.decision.id, &record);
    by_item[{record.decision.company, record.decision.item}].push_back(&record);
  }

  std::vector<Anomaly> anomalies;
  std::set<DecisionId> checked;
  for (const Acknowledgement& ack : observations.acknowledgements) {
    if (!checked.insert(ack.decision).second) continue;
    const auto record = records.find(ack.decision);
    RS_ASSERT(record != records.end());
    const Decision& decision = record->second->decision;
    const CompanyState& store = observations.final_store[decision.company];
    if (is_present(decision, store)) continue;

    // A decision committed later on the same (company, item) supersedes this one. A decision
    // that was never committed is superseded by any later commit on its item, such as the same
    // user's next decision on it, sent in the same save.
    const auto commit_index = timeline.first_commit(decision.id);
    const std::uint32_t since_step =
        commit_index ? observations.commits[*commit_index].step : record->second->step;
    bool superseded = false;
    for (const DecisionRecord* other : by_item[{decision.company, decision.item}]) {
      if (other->decision.id == decision.id) continue;
      const auto other_commit = timeline.first_commit(other->decision.id);
      if (other_commit && observations.commits[*other_commit].step > since_step) {
        superseded = true;
        break;
      }
    }
    if (superseded) continue;

    Anomaly anomaly;
    anomaly.kind = AnomalyKind::lost_update;
    anomaly.users.push_back(decision.id.user);
    anomaly.items.push_back(decision.item);
    anomaly.steps = {record->second->step, ack.step};
    std::string text = fmt::format("{} was acknowledged at step {} but is missing at quiescence.",
                                   describe_decision(*record->second, catalog), ack.step);
    if (commit_index) {
      const Commit& commit = observations.commits[*commit_index];
      text += fmt::format(" It was committed at {}", describe_commit(commit));
      anomaly.steps.push_back(commit.step);
      if (const auto removal = timeline.last_removal(decision.id)) {
        const Commit& remover = observations.commits[*removal];
        text += fmt::format(" and removed at {}", describe_commit(remover));
        anomaly.steps.push_back(remover.step);
        anomaly.users.push_back(remover.user);
      }
      text += ".";
    } else {
      text += fmt::format(" No write ever put it under a key of {}.",
                          catalog.company_name(decision.company));
    }
    text += fmt::format(" The store holds {} for {}, and no decision on it was committed later.",
                        describe_stored(store, decision.item),
                        item_path(catalog, decision.company, decision.item));
    anomaly.explanation = std::move(text);
    finish(anomaly);
    anomalies.push_back(std::move(anomaly));
  }
  sort_by_first_step(anomalies);
  return anomalies;
}

std::vector<Anomaly> check_wrong_company_writes(const Observations& observations,
                                                const StoreTimeline& timeline,
                                                const Catalog& catalog) {
  std::map<DecisionId, const DecisionRecord*> records;
  for (const DecisionRecord& record : observations.decisions) {
    records.emplace(record.decision.id, &record);
  }

  std::vector<Anomaly> anomalies;
  for (const StoreTimeline::MisplacedWrite& misplaced : timeline.misplaced_writes()) {
    const DecisionRecord& record = *records.at(misplaced.decision);
    const Commit& commit = observations.commits[misplaced.commit_index];
    Anomaly anomaly;
    anomaly.kind = AnomalyKind::wrong_company_write;
    anomaly.users = {record.decision.id.user, commit.user};
    anomaly.items.push_back(record.decision.item);
    anomaly.steps = {record.step, commit.step};
    anomaly.explanation = fmt::format("{} was written under company {} at {}.",
                                      describe_decision(record, catalog),
                                      catalog.company_name(commit.delta.key_company),
                                      describe_commit(commit));
    finish(anomaly);
    anomalies.push_back(std::move(anomaly));
  }
  sort_by_first_step(anomalies);
  return anomalies;
}

std::vector<Anomaly> check_divergence(const Observations& observations, const Catalog& catalog) {
  std::vector<Anomaly> anomalies;
  for (std::size_t user_index = 0; user_index < observations.final_views.size(); ++user_index) {
    const auto user = static_cast<UserId>(user_index + 1);
    const auto& views = observations.final_views[user_index];
    RS_ASSERT(views.size() == observations.final_store.size());
    for (std::size_t company = 0; company < views.size(); ++company) {
      const CompanyState& view = views[company];
      const CompanyState& store = observations.final_store[company];
      if (view == store) continue;

      // Name the first item on which they differ.
      std::set<ItemId> items;
      for (const Status status : kStatuses) {
        for (const auto& [item, entry] : view.map(status)) items.insert(item);
        for (const auto& [item, entry] : store.map(status)) items.insert(item);
      }
      ItemId differing = 0;
      for (const ItemId item : items) {
        bool same = true;
        for (const Status status : kStatuses) {
          const Entry* in_view = view.find(item, status);
          const Entry* in_store = store.find(item, status);
          if ((in_view == nullptr) != (in_store == nullptr) ||
              (in_view != nullptr && !(*in_view == *in_store))) {
            same = false;
          }
        }
        if (!same) {
          differing = item;
          break;
        }
      }
      const auto company_id = static_cast<CompanyId>(company);
      Anomaly anomaly;
      anomaly.kind = AnomalyKind::divergence;
      anomaly.users.push_back(user);
      anomaly.items.push_back(differing);
      anomaly.explanation = fmt::format(
          "After the final load, {}'s view of {} differs from the store: {} is {} in the view "
          "and {} in the store.",
          user_name(user), catalog.company_name(company_id),
          catalog.item_name(differing), describe_stored(view, differing),
          describe_stored(store, differing));
      anomalies.push_back(std::move(anomaly));
    }
  }
  return anomalies;
}

std::vector<Anomaly> check_status_conflicts(const Observations& observations,
                                            const StoreTimeline& timeline,
                                            const Catalog& catalog) {
  std::vector<Anomaly> anomalies;

  for (const StoreTimeline::DoubleStatus& conflict : timeline.double_statuses()) {
    const Commit& commit = observations.commits[conflict.commit_index];
    std::string statuses;
    for (const Status status : conflict.statuses) {
      if (!statuses.empty()) statuses += " and ";
      statuses += status_name(status);
    }
    Anomaly anomaly;
    anomaly.kind = AnomalyKind::status_conflict;
    anomaly.users.push_back(commit.user);
    anomaly.items.push_back(conflict.item);
    anomaly.steps.push_back(commit.step);
    anomaly.explanation = fmt::format("{} was in {} at once after {}.",
                                      item_path(catalog, conflict.company, conflict.item),
                                      statuses, describe_commit(commit));
    anomalies.push_back(std::move(anomaly));
  }

  // Decided items: those of the initial store and those with a committed decision.
  std::map<std::pair<CompanyId, ItemId>, const DecisionRecord*> last_committed;
  for (std::size_t company = 0; company < observations.initial_store.size(); ++company) {
    for (const Status status : kStatuses) {
      for (const auto& [item, entry] : observations.initial_store[company].map(status)) {
        last_committed.emplace(std::make_pair(static_cast<CompanyId>(company), item), nullptr);
      }
    }
  }
  std::map<const DecisionRecord*, std::uint32_t> commit_steps;
  for (const DecisionRecord& record : observations.decisions) {
    const auto commit_index = timeline.first_commit(record.decision.id);
    if (!commit_index) continue;
    const std::uint32_t step = observations.commits[*commit_index].step;
    commit_steps[&record] = step;
    auto& last = last_committed[{record.decision.company, record.decision.item}];
    if (last == nullptr || commit_steps[last] < step) last = &record;
  }

  for (const auto& [key, record] : last_committed) {
    const auto [company, item] = key;
    if (!observations.final_store[company].statuses_of(item).empty()) continue;
    if (record != nullptr && record->decision.kind == DecisionKind::clear) continue;

    Anomaly anomaly;
    anomaly.kind = AnomalyKind::status_conflict;
    anomaly.items.push_back(item);
    std::string text = fmt::format("{} is in no status at quiescence, but no clear removed it.",
                                   item_path(catalog, company, item));
    if (record != nullptr) {
      anomaly.users.push_back(record->decision.id.user);
      anomaly.steps.push_back(record->step);
      text += fmt::format(" The last decision committed on it was {}, committed at step {}.",
                          describe_decision(*record, catalog), commit_steps[record]);
      if (const auto removal = timeline.last_removal(record->decision.id)) {
        const Commit& remover = observations.commits[*removal];
        text += fmt::format(" It was removed at {}.", describe_commit(remover));
        anomaly.users.push_back(remover.user);
        anomaly.steps.push_back(remover.step);
      }
    } else {
      text += " It was in the store before the run.";
    }
    anomaly.explanation = std::move(text);
    finish(anomaly);
    anomalies.push_back(std::move(anomaly));
  }
  sort_by_first_step(anomalies);
  return anomalies;
}

}  // namespace reviewsim
