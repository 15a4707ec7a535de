// Conformance of MemoryKv with Redis: simulated schedules of every strategy over the bundled
// scenarios, with every KV command of each run executed again, in the scheduled order, on a
// real redis-server and on a fresh MemoryKv. Each reply must equal the reply the simulator
// recorded, and at the end the two keyspaces must be identical, key by key and field by field
// in HGETALL order. This is what lets the simulator's verdicts hold for real Redis.
//
// The simulator gives each request handler its own connection, so MULTI state is per request:
// the replay opens one connection per request id (reused once that request is done). The final
// loads run one after another on one connection, as in the simulator.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "adapters/memory_kv.h"
#include "adapters/scenario_file.h"
#include "adapters/strategy.h"
#include "sim/simulation.h"
#include "tests/redis/redis_test_support.h"

namespace reviewsim::testing {
namespace {

constexpr int kSchedulesPerStrategy = 100;
// The connection key of the final loads; request ids always carry a user in their top byte.
constexpr RequestId kFinalLoads = 0;

std::vector<Scenario> bundled_scenarios() {
  std::vector<Scenario> scenarios;
  for (const auto& path : scenario_files_in(std::filesystem::path(REVIEWSIM_SOURCE_DIR) / "scenarios")) {
    scenarios.push_back(load_scenario_file(path));
  }
  return scenarios;
}

// Runs each command on a Redis connection and on a MemoryKv connection and checks both replies.
class Mirror {
 public:
  explicit Mirror(MemoryStore& store) : store_(store) {}

  // Runs `command` on both sides on the connections of `owner`; `expected`, when given, is the
  // reply the simulator recorded. Returns Redis's reply, or nullopt when the replies differ.
  std::optional<Reply> run(RequestId owner, const Command& command, const Reply* expected,
                           const std::string& where) {
    Connections& connections = connections_for(owner);
    Reply redis_reply = connections.redis->execute(command);
    const Reply memory_reply = connections.memory->execute(command);
    ++commands_count_;
    EXPECT_REPLY(redis_reply, memory_reply) << where << ": " << format_command(command, 200);
    if (expected != nullptr) {
      EXPECT_REPLY(redis_reply, *expected) << where << ": " << format_command(command, 200);
    }
    const bool equal = redis_reply == memory_reply && (expected == nullptr || redis_reply == *expected);
    if (!equal) return std::nullopt;
    return redis_reply;
  }

  // The request's program has ended: its Redis connection, free of MULTI state, goes back to
  // the pool.
  void release(RequestId owner) {
    auto found = active_.find(owner);
    if (found == active_.end()) return;
    idle_redis_.push_back(std::move(found->second.redis));
    active_.erase(found);
  }

  void release_all() {
    while (!active_.empty()) release(active_.begin()->first);
  }

  std::size_t commands_count() const { return commands_count_; }

 private:
  struct Connections {
    std::unique_ptr<RedisKv> redis;
    std::unique_ptr<MemoryKv> memory;
  };

  Connections& connections_for(RequestId owner) {
    auto found = active_.find(owner);
    if (found != active_.end()) return found->second;
    Connections connections;
    if (idle_redis_.empty()) {
      connections.redis = connect_shared();
    } else {
      connections.redis = std::move(idle_redis_.back());
      idle_redis_.pop_back();
    }
    connections.memory = std::make_unique<MemoryKv>(store_);
    return active_.emplace(owner, std::move(connections)).first->second;
  }

  MemoryStore& store_;
  std::map<RequestId, Connections> active_;
  std::vector<std::unique_ptr<RedisKv>> idle_redis_;
  std::size_t commands_count_ = 0;
};

// Seeds the scenario's initial entries as the simulator does before its first step. The seed
// commands run outside the history, so they are mirrored without a recorded reply.
void seed_both(const Scenario& scenario, const Strategy& strategy, Mirror& mirror) {
  std::vector<CompanyState> initial(scenario.catalog.companies_count());
  for (const InitialEntry& entry : scenario.initial) {
    initial[entry.company].put(entry.item, entry.status, Entry{DecisionId{}, 0, entry.node});
  }
  for (std::size_t company = 0; company < initial.size(); ++company) {
    if (initial[company].empty()) continue;
    Program<SaveOutcome> program = strategy.seed(static_cast<CompanyId>(company), initial[company]);
    for (program.start(); !program.done();) {
      std::optional<Reply> reply = mirror.run(kFinalLoads, program.slot().command, nullptr, "seed");
      ASSERT_TRUE(reply.has_value());
      program.resume(std::move(*reply));
    }
  }
  mirror.release(kFinalLoads);
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Strategies, ConformanceTest,
                         ::testing::Values("full-overwrite", "read-merge-write", "hset",
                                           "hset-multi"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST_P(ConformanceTest, RepliesAndKeyspaceEqualRedis) {
  const std::vector<Scenario> scenarios = bundled_scenarios();
  ASSERT_FALSE(scenarios.empty());
  auto admin = connect_shared();
  std::size_t commands_count = 0;

  for (int schedule = 0; schedule < kSchedulesPerStrategy; ++schedule) {
    // Spread the schedules over scenarios, clients, explorers and user counts.
    const Scenario& scenario = scenarios[schedule % scenarios.size()];
    const int round = schedule / static_cast<int>(scenarios.size());
    const int users_range = scenario.users_max - scenario.users_min + 1;
    SimulationConfig config;
    config.scenario = &scenario;
    config.strategy = GetParam();
    config.client = *parse_client_variant(round % 2 == 0 ? "legacy" : "fixed", nullptr);
    config.users_count = scenario.users_min + (round / 4) % users_range;
    config.seed = 1000 + static_cast<std::uint64_t>(schedule);
    config.explorer = (round / 2) % 2 == 0 ? ExplorerKind::timed : ExplorerKind::random;
    config.keep_steps = true;
    const SimulationResult result = simulate(config);
    const std::string run = fmt::format("scenario {}, strategy {}, client {}, {} users, seed {}",
                                        scenario.name, config.strategy, config.client.name,
                                        config.users_count, config.seed);
    ASSERT_FALSE(result.step_limit_hit) << run;

    ASSERT_EQ(admin->execute(Command{Op::flushdb, {}, {}, {}}), Reply::ok());
    MemoryStore store;
    Mirror mirror(store);
    const auto strategy = make_strategy(config.strategy, scenario.catalog);
    seed_both(scenario, *strategy, mirror);
    ASSERT_FALSE(::testing::Test::HasFatalFailure()) << run;

    // The last step of each request, so that its connection is released after it.
    const std::vector<StepRecord>& steps = result.history->steps();
    std::map<RequestId, std::size_t> last_step;
    for (std::size_t index = 0; index < steps.size(); ++index) {
      if (steps[index].command) last_step[steps[index].request] = index;
    }
    for (std::size_t index = 0; index < steps.size(); ++index) {
      const StepRecord& step = steps[index];
      if (!step.command) continue;
      const RequestId owner = step.kind == EventKind::final_load ? kFinalLoads : step.request;
      ASSERT_TRUE(step.reply.has_value());
      const std::string where = fmt::format("{}, step {}", run, step.step);
      ASSERT_TRUE(mirror.run(owner, *step.command, &*step.reply, where).has_value());
      if (owner != kFinalLoads && last_step[owner] == index) mirror.release(owner);
    }
    mirror.release_all();

    MemoryKv memory_reader(store);
    const std::vector<KeyDump> redis_keys = dump_keyspace(*admin);
    const std::vector<KeyDump> memory_keys = dump_keyspace(memory_reader);
    ASSERT_EQ(redis_keys, memory_keys) << run << "\nRedis:\n"
                                       << format_dump(redis_keys) << "MemoryKv:\n"
                                       << format_dump(memory_keys);
    commands_count += mirror.commands_count();
  }
  std::cout << fmt::format("[          ] {}: {} schedules, {} commands with identical replies\n",
                           GetParam(), kSchedulesPerStrategy, commands_count);
}

}  // namespace
}  // namespace reviewsim::testing
