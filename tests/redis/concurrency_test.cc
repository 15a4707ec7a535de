// Real concurrency on a real redis-server: threads with one connection each approve and reject
// overlapping items, and the final state is checked against what was acknowledged.
//
// The commit order comes from MONITOR (tests/redis/monitor_log.h): Redis runs one command at a
// time, so the order in which MONITOR shows the writes is the order in which they took effect.
// A second check needs no MONITOR: a decision whose acknowledgement came back before another
// decision on the same item was sent cannot be the item's final entry.
//
// Through ReviewStore (hset-multi), no acknowledged decision may be lost and no item may be in
// two statuses. Through full-overwrite (GET the blob, apply the decision, SET the whole blob)
// the same load loses decisions. The test counts them and measures how long the first loss
// took, beside how long the simulator takes to find one.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/review_json.h"
#include "adapters/review_store.h"
#include "adapters/scenario_file.h"
#include "adapters/strategy.h"
#include "sim/simulation.h"
#include "tests/redis/monitor_log.h"
#include "tests/redis/redis_test_support.h"

namespace reviewsim::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kThreads = 4;
constexpr int kDecisionsPerThread = 250;
constexpr int kItems = 24;
const std::string kCompany = "acme";

std::string item_name(int index) { return fmt::format("item-{}", index); }

struct Acknowledged {
  std::string item;
  DecisionKind kind = DecisionKind::approve;
  DecisionId id;
  Clock::time_point sent;
  Clock::time_point acknowledged;
};

// Runs `kThreads` threads, each with its own connection, each making `kDecisionsPerThread`
// approve or reject decisions on random items through `decide`, and returns what was
// acknowledged. `decide(kv, item, kind, author)` returns true when the decision was stored.
template <typename Decide>
std::vector<Acknowledged> run_load(Decide decide) {
  std::vector<std::vector<Acknowledged>> per_thread(kThreads);
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([&, thread] {
      auto kv = connect_shared();
      std::mt19937 prng(static_cast<std::uint32_t>(20261204 + thread));
      std::uniform_int_distribution<int> pick_item(0, kItems - 1);
      for (int index = 0; index < kDecisionsPerThread; ++index) {
        const std::string item = item_name(pick_item(prng));
        const DecisionKind kind = prng() % 2 == 0 ? DecisionKind::approve : DecisionKind::reject;
        const Author author{static_cast<UserId>(thread + 1), static_cast<std::uint32_t>(index + 1), index};
        const Clock::time_point sent = Clock::now();
        if (!decide(*kv, item, kind, author)) continue;
        per_thread[thread].push_back(
            Acknowledged{item, kind, DecisionId{author.user, author.seq}, sent, Clock::now()});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<Acknowledged> all;
  for (auto& decisions : per_thread) all.insert(all.end(), decisions.begin(), decisions.end());
  return all;
}

// Returns true when a decision on the same item was sent after `decision` was acknowledged.
// Such a decision committed after it, so `decision` cannot be the item's final entry.
bool later_decision_exists(const std::vector<Acknowledged>& acknowledged, const Acknowledged& decision) {
  return std::any_of(acknowledged.begin(), acknowledged.end(), [&](const Acknowledged& other) {
    return other.item == decision.item && other.sent > decision.acknowledged;
  });
}

const Acknowledged* find_decision(const std::vector<Acknowledged>& acknowledged, DecisionId id) {
  for (const Acknowledged& decision : acknowledged) {
    if (decision.id == id) return &decision;
  }
  return nullptr;
}

std::optional<Status> status_of_key(const std::string& key) {
  for (const Status status : kStatuses) {
    if (key == fmt::format("match-review:{}:{}", kCompany, status_name(status))) return status;
  }
  return std::nullopt;
}

TEST(RealConcurrency, HsetMultiLosesNoAcknowledgedDecision) {
  auto admin = connect_shared();
  ASSERT_EQ(admin->execute(Command{Op::flushdb, {}, {}, {}}), Reply::ok());
  MonitorLog monitor(shared_redis_port());

  const Clock::time_point started = Clock::now();
  const std::vector<Acknowledged> acknowledged =
      run_load([](Kv& kv, const std::string& item, DecisionKind kind, const Author& author) {
        ReviewStore review(kv);
        if (kind == DecisionKind::approve) {
          review.approve(kCompany, item, author);
        } else {
          review.reject(kCompany, item, author);
        }
        return true;
      });
  const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  const std::vector<MonitorLine> log = monitor.finish();
  ASSERT_EQ(acknowledged.size(), static_cast<std::size_t>(kThreads * kDecisionsPerThread));

  // The last HSET of each item in commit order, and every decision that committed.
  std::map<std::string, std::pair<Status, DecisionId>> last_write;
  std::set<DecisionId> committed;
  for (const MonitorLine& line : log) {
    if (line.words.size() != 4 || line.words[0] != "HSET") continue;
    const auto status = status_of_key(line.words[1]);
    if (!status) continue;
    const Entry entry = decode_entry(line.words[3]);
    last_write[line.words[2]] = {*status, entry.id};
    committed.insert(entry.id);
  }

  ReviewStore reader(*admin);
  const ReviewState state = reader.load(kCompany);
  for (const Acknowledged& decision : acknowledged) {
    EXPECT_TRUE(committed.contains(decision.id)) << "decision u" << int(decision.id.user) << "#"
                                                 << decision.id.seq << " has no HSET in the log";
  }
  for (int index = 0; index < kItems; ++index) {
    const std::string item = item_name(index);
    const std::vector<Status> statuses = state.statuses_of(item);
    ASSERT_EQ(statuses.size(), 1u) << item << " is in " << statuses.size() << " statuses";
    const auto expected = last_write.at(item);
    EXPECT_EQ(statuses[0], expected.first) << item;
    const DecisionId final_id = state.map(statuses[0]).at(item).id;
    EXPECT_EQ(final_id, expected.second) << item;

    const Acknowledged* final_decision = find_decision(acknowledged, final_id);
    ASSERT_NE(final_decision, nullptr) << item;
    EXPECT_FALSE(later_decision_exists(acknowledged, *final_decision))
        << item << ": a decision sent after the final one was acknowledged is missing";
  }
  std::cout << fmt::format("[          ] hset-multi through ReviewStore: {} threads, {} decisions "
                           "on {} items in {:.0f} ms, 0 lost, 0 status conflicts\n",
                           kThreads, acknowledged.size(), kItems, elapsed_ms);
}

// full-overwrite on real Redis, and the simulator on the different-items scenario.

struct LossReport {
  std::size_t decisions = 0;
  // Acknowledged decisions that a stale whole-blob SET removed while they were still the newest
  // committed decision on their item: the moment a user's decision vanished.
  std::size_t overwritten = 0;
  // Acknowledged decisions missing from the final blob with no later decision on their item:
  // the checker's lost-update definition.
  std::size_t lost = 0;
  std::optional<double> first_overwrite_ms;  // after the first SET, on the server's clock
  std::size_t first_overwrite_set = 0;       // 1-based number of the SET that did it
};

// Replays the log of whole-blob SETs. A decision commits with the first SET that carries its
// entry. From then on it is its item's newest decision until a later decision on the item
// commits, and a SET without it in that time overwrote it with a stale copy.
LossReport find_losses(const std::vector<Acknowledged>& acknowledged,
                       const std::vector<MonitorLine>& log, const Catalog& catalog) {
  std::vector<std::pair<double, CompanyState>> sets;
  for (const MonitorLine& line : log) {
    if (line.words.size() == 3 && line.words[0] == "SET" && line.words[1] == "match-review:" + kCompany) {
      sets.emplace_back(line.time_s, decode_blob(line.words[2], catalog));
    }
  }
  LossReport report;
  report.decisions = acknowledged.size();
  if (sets.empty()) return report;

  const auto contains_decision = [&](const CompanyState& state, const Acknowledged& decision) {
    const ItemId item = *catalog.find_item(decision.item);
    const Entry* entry = state.find(item, *target_status(decision.kind));
    return entry != nullptr && entry->id == decision.id;
  };
  std::vector<std::vector<const Acknowledged*>> commits(sets.size());
  for (const Acknowledged& decision : acknowledged) {
    const auto first = std::find_if(sets.begin(), sets.end(), [&](const auto& set) {
      return contains_decision(set.second, decision);
    });
    EXPECT_NE(first, sets.end()) << "an acknowledged save has no SET in the log";
    if (first != sets.end()) commits[static_cast<std::size_t>(first - sets.begin())].push_back(&decision);
  }

  std::map<std::string, const Acknowledged*> newest;
  std::set<DecisionId> overwritten;
  for (std::size_t index = 0; index < sets.size(); ++index) {
    for (const Acknowledged* decision : commits[index]) newest[decision->item] = decision;
    for (const auto& [item, decision] : newest) {
      if (contains_decision(sets[index].second, *decision)) continue;
      if (overwritten.contains(decision->id)) continue;
      overwritten.insert(decision->id);
      if (!report.first_overwrite_ms) {
        report.first_overwrite_ms = (sets[index].first - sets.front().first) * 1000.0;
        report.first_overwrite_set = index + 1;
      }
    }
  }
  report.overwritten = overwritten.size();
  for (const auto& [item, decision] : newest) {
    if (!contains_decision(sets.back().second, *decision)) ++report.lost;
  }
  return report;
}

TEST(RealConcurrency, FullOverwriteLosesAcknowledgedDecisions) {
  auto admin = connect_shared();
  ASSERT_EQ(admin->execute(Command{Op::flushdb, {}, {}, {}}), Reply::ok());
  Catalog catalog;
  const CompanyId company = catalog.add_company(kCompany);
  for (int index = 0; index < kItems; ++index) catalog.add_item(company, item_name(index));
  const auto strategy = make_strategy("full-overwrite", catalog);

  MonitorLog monitor(shared_redis_port());
  const Clock::time_point started = Clock::now();
  // Each decision loads the company, applies the decision to that fresh copy and saves the
  // whole copy: the most careful client full-overwrite allows, still racing between GET and SET.
  const std::vector<Acknowledged> acknowledged =
      run_load([&](Kv& kv, const std::string& item, DecisionKind kind, const Author& author) {
        LoadOutcome loaded = run_program_pipelined(strategy->load(company), kv);
        if (!loaded.ok) return false;
        const Decision decision{DecisionId{author.user, author.seq}, company,
                                *catalog.find_item(item), kind, {}, author.at_ms};
        SaveRequest request;
        request.company = company;
        loaded.state.apply(decision);
        request.view = std::move(loaded.state);
        request.changes.push_back(decision);
        request.payload = Payload::whole_view;
        return run_program_pipelined(strategy->save(std::move(request)), kv).ok;
      });
  const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  const std::vector<MonitorLine> log = monitor.finish();

  const LossReport report = find_losses(acknowledged, log, catalog);
  EXPECT_EQ(report.decisions, static_cast<std::size_t>(kThreads * kDecisionsPerThread));
  EXPECT_GT(report.overwritten, 0u) << "no stale overwrite in this run";
  ASSERT_TRUE(report.first_overwrite_ms.has_value());
  std::cout << fmt::format(
      "[          ] full-overwrite on Redis: {} threads, {} acknowledged decisions on {} items in "
      "{:.0f} ms: {} overwritten by a stale copy ({:.1f} %), {} still missing at the end; the "
      "first overwrite came {:.2f} ms after the first save, at save {}\n",
      kThreads, report.decisions, kItems, elapsed_ms, report.overwritten,
      100.0 * static_cast<double>(report.overwritten) / static_cast<double>(report.decisions),
      report.lost, *report.first_overwrite_ms, report.first_overwrite_set);
}

TEST(RealConcurrency, SimulatorFindsFullOverwriteLoss) {
  const Scenario scenario = load_scenario_file(
      std::filesystem::path(REVIEWSIM_SOURCE_DIR) / "scenarios" / "different-items.json");
  SimulationConfig config;
  config.scenario = &scenario;
  config.strategy = "full-overwrite";
  config.client = *parse_client_variant("legacy", nullptr);
  config.users_count = 2;

  // Seeds 1, 2, ... until a schedule shows a lost update, as `reviewsim run --seed` would.
  const Clock::time_point started = Clock::now();
  std::optional<std::uint64_t> failing_seed;
  for (std::uint64_t seed = 1; seed <= 1000 && !failing_seed; ++seed) {
    config.seed = seed;
    const SimulationResult result = simulate(config);
    for (const Anomaly& anomaly : result.anomalies) {
      if (anomaly.kind == AnomalyKind::lost_update) failing_seed = seed;
    }
  }
  const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  ASSERT_TRUE(failing_seed.has_value());
  std::cout << fmt::format("[          ] simulator, different-items, full-overwrite, legacy, 2 "
                           "users: first lost update at seed {}, found in {:.3f} ms\n",
                           *failing_seed, elapsed_ms);
}

}  // namespace
}  // namespace reviewsim::testing
