// The blob-to-hash migration: the conversion rules and runs on MemoryKv and on a real
// redis-server. Also every interleaving of a conversion with a concurrent save, a real
// migration while other threads keep writing, a server stopped mid-run, and the exit codes of
// `reviewsim migrate`.

#include "adapters/migration.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/hash_strategies.h"
#include "adapters/memory_kv.h"
#include "adapters/review_json.h"
#include "adapters/review_store.h"
#include "tests/redis/cli_process.h"
#include "tests/redis/redis_test_support.h"

namespace reviewsim::testing {
namespace {

using nlohmann::json;

Command command(Op op, std::string key = {}, std::string field = {}, std::string value = {}) {
  return Command{op, std::move(key), std::move(field), std::move(value)};
}

std::string company_name(int index) { return fmt::format("c{:04}", index); }

// A blob in the old app's shape with `items_count` items: even ones approved, odd ones rejected.
std::string make_blob(int items_count, std::string_view by = "import") {
  json blob = {{"approved", json::object()}, {"rejected", json::object()}, {"manual", json::object()}};
  for (int index = 0; index < items_count; ++index) {
    const std::string status = index % 2 == 0 ? "approved" : "rejected";
    blob[status][fmt::format("item-{}", index)] = {{"by", by}, {"seq", 0}, {"at", 100 + index}};
  }
  return blob.dump();
}

std::string hash_key_of(std::string_view company, std::string_view status) {
  return fmt::format("match-review:{}:{}", company, status);
}

// Converting blobs.

TEST(ConvertBlob, CopiesEntriesThatTheModelReads) {
  const ConvertedBlob converted = convert_blob(
      R"({"approved":{"a1":{"by":"u2","seq":7,"at":1500}},"manual":{"m1":{"by":"u1","seq":1,"at":9,"node":"N"}}})");
  ASSERT_EQ(converted.entries[0].size(), 1u);
  EXPECT_EQ(converted.entries[0][0].first, "a1");
  EXPECT_EQ(decode_entry(converted.entries[0][0].second), (Entry{DecisionId{2, 7}, 1500, ""}));
  EXPECT_EQ(decode_entry(converted.entries[2][0].second), (Entry{DecisionId{1, 1}, 9, "N"}));
  EXPECT_EQ(converted.entries_defaulted, 0u);
}

TEST(ConvertBlob, FillsImportDefaultsAndKeepsOriginals) {
  const ConvertedBlob converted = convert_blob(
      R"({"approved":{"a1":{},"a2":{"by":"alice@example.com","at":"2024-05-01","note":"x"},"a3":{"by":"u1","seq":-4,"at":12}}})");
  ASSERT_EQ(converted.entries[0].size(), 3u);
  EXPECT_EQ(converted.entries_defaulted, 3u);

  EXPECT_EQ(json::parse(converted.entries[0][0].second), json::parse(R"({"by":"import","seq":0,"at":0})"));
  EXPECT_EQ(json::parse(converted.entries[0][1].second),
            json::parse(R"({"by":"import","seq":0,"at":0,"note":"x","imported_by":"alice@example.com","imported_at":"2024-05-01"})"));
  EXPECT_EQ(json::parse(converted.entries[0][2].second),
            json::parse(R"({"by":"u1","seq":0,"at":12,"imported_seq":-4})"));
  for (const auto& [item, text] : converted.entries[0]) EXPECT_NO_THROW(decode_entry(text)) << item;
}

TEST(ConvertBlob, CountsItemsInSeveralStatuses) {
  const ConvertedBlob converted =
      convert_blob(R"({"approved":{"a1":{}},"rejected":{"a1":{}},"manual":{"a2":{"node":"n"}}})");
  EXPECT_EQ(converted.items_in_several_statuses, 1u);
  EXPECT_EQ(converted.entries[0].size(), 1u);
  EXPECT_EQ(converted.entries[1].size(), 1u);
}

TEST(ConvertBlob, RejectsBlobsThatDoNotParse) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"[1]", "not a JSON object"},
      {R"({"approved":[]})", "\"approved\" is not a JSON object"},
      {R"({"approved":{"a1":true}})", "approved entry of item \"a1\" is not a JSON object"},
      {R"({"manual":{"m1":{"node":5}}})", "\"node\" that is not a string"},
      {R"({"approved":{},"pending":{}})", "the field \"pending\""},
  };
  for (const auto& [text, problem] : cases) {
    try {
      convert_blob(text);
      ADD_FAILURE() << text << " converted";
    } catch (const DecodeError& error) {
      EXPECT_NE(std::string(error.what()).find(problem), std::string::npos)
          << text << ": " << error.what();
    }
  }
}

// Migration runs, once per backend.

enum class Backend { memory, redis };

class MigrationTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::redis) {
      kv_ = connect_shared();
      ASSERT_EQ(kv_->execute(command(Op::flushdb)), Reply::ok());
    } else {
      kv_ = std::make_unique<MemoryKv>(memory_);
    }
  }

  void set(const std::string& key, const std::string& value) {
    ASSERT_EQ(kv_->execute(command(Op::set, key, {}, value)), Reply::ok());
  }

  MemoryStore memory_;
  std::unique_ptr<Kv> kv_;
};

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest,
                         ::testing::Values(Backend::memory, Backend::redis),
                         [](const auto& info) {
                           return info.param == Backend::memory ? "memory" : "redis";
                         });

TEST_P(MigrationTest, ConvertsBlobsAndKeepsBackups) {
  const std::string acme = make_blob(5);
  set("match-review:acme", acme);
  set("match-review:globex", R"({"manual":{"g1":{"by":"u3","seq":2,"at":40,"node":"n9"}}})");
  set("unrelated", "x");

  const MigrationReport report = migrate_blobs(*kv_, MigrationOptions{});
  ASSERT_EQ(report.companies.size(), 2u);
  EXPECT_EQ(report.count(ConversionResult::converted), 2u);
  EXPECT_EQ(report.companies[0].company, "acme");
  EXPECT_EQ(report.companies[0].entries_written, (std::array<std::size_t, 3>{3, 2, 0}));
  EXPECT_EQ(report.companies[0].backup_key, "match-review-backup:acme");

  EXPECT_REPLY(kv_->execute(command(Op::exists, "match-review:acme")), Reply::number(0));
  EXPECT_REPLY(kv_->execute(command(Op::get, "match-review-backup:acme")), Reply::bulk(acme));
  EXPECT_REPLY(kv_->execute(command(Op::get, "unrelated")), Reply::bulk("x"));

  // The converted company reads back through the facade.
  ReviewStore store(*kv_);
  const ReviewState state = store.load("acme");
  EXPECT_EQ(state.map(Status::approved).size(), 3u);
  EXPECT_EQ(state.map(Status::rejected).at("item-1"), (Entry{DecisionId{kImportUser, 0}, 101, ""}));
  EXPECT_EQ(store.load("globex").map(Status::manual).at("g1"), (Entry{DecisionId{3, 2}, 40, "n9"}));
}

TEST_P(MigrationTest, SecondRunChangesNothing) {
  set("match-review:acme", make_blob(4));
  migrate_blobs(*kv_, MigrationOptions{});
  const std::vector<KeyDump> after_first = dump_keyspace(*kv_);

  const MigrationReport second = migrate_blobs(*kv_, MigrationOptions{});
  EXPECT_TRUE(second.companies.empty());
  EXPECT_EQ(dump_keyspace(*kv_), after_first);
}

TEST_P(MigrationTest, DryRunWritesNothing) {
  set("match-review:acme", make_blob(4));
  const std::vector<KeyDump> before = dump_keyspace(*kv_);
  MigrationOptions options;
  options.dry_run = true;
  const MigrationReport report = migrate_blobs(*kv_, options);
  ASSERT_EQ(report.companies.size(), 1u);
  EXPECT_EQ(report.companies[0].result, ConversionResult::would_convert);
  EXPECT_EQ(report.companies[0].entries_written, (std::array<std::size_t, 3>{2, 2, 0}));
  EXPECT_EQ(dump_keyspace(*kv_), before);
}

TEST_P(MigrationTest, BadBlobReportedAndUntouched) {
  set("match-review:acme", make_blob(2));
  set("match-review:broken", "{\"approved\": {\"x\": ");
  const MigrationReport report = migrate_blobs(*kv_, MigrationOptions{});
  ASSERT_EQ(report.companies.size(), 2u);
  const CompanyConversion& broken = report.companies[1];
  EXPECT_EQ(broken.result, ConversionResult::failed);
  EXPECT_NE(broken.detail.find("match-review:broken"), std::string::npos) << broken.detail;
  EXPECT_NE(broken.detail.find("not valid JSON"), std::string::npos) << broken.detail;
  EXPECT_REPLY(kv_->execute(command(Op::get, "match-review:broken")),
               Reply::bulk("{\"approved\": {\"x\": "));
  EXPECT_REPLY(kv_->execute(command(Op::exists, "match-review-backup:broken")), Reply::number(0));
  EXPECT_EQ(report.companies[0].result, ConversionResult::converted);
}

TEST_P(MigrationTest, HashKeyOfWrongTypeFailsCompanyUntouched) {
  const std::string blob = make_blob(2);
  set("match-review:acme", blob);
  set(hash_key_of("acme", "rejected"), "a string where a hash belongs");
  const MigrationReport report = migrate_blobs(*kv_, MigrationOptions{});
  // The string at the hash key is itself reported, not converted as a blob of "acme:rejected".
  ASSERT_EQ(report.companies.size(), 2u);
  EXPECT_EQ(report.count(ConversionResult::failed), 2u);
  EXPECT_NE(report.companies[0].detail.find("match-review:acme:rejected is not a hash"),
            std::string::npos)
      << report.companies[0].detail;
  EXPECT_NE(report.companies[1].detail.find("has the name of a status hash of company \"acme\""),
            std::string::npos)
      << report.companies[1].detail;
  EXPECT_REPLY(kv_->execute(command(Op::get, hash_key_of("acme", "rejected"))),
               Reply::bulk("a string where a hash belongs"));
  EXPECT_REPLY(kv_->execute(command(Op::get, "match-review:acme")), Reply::bulk(blob));
  EXPECT_REPLY(kv_->execute(command(Op::exists, hash_key_of("acme", "approved"))), Reply::number(0));
}

TEST_P(MigrationTest, ExistingHashEntriesWin) {
  set("match-review:acme", make_blob(3));
  // The new code already decided item-0, so the blob's older entry must not replace it.
  ReviewStore store(*kv_);
  store.reject("acme", "item-0", Author{2, 5, 9000});
  const MigrationReport report = migrate_blobs(*kv_, MigrationOptions{});
  ASSERT_EQ(report.companies.size(), 1u);
  EXPECT_EQ(report.companies[0].entries_kept_from_hashes, 1u);
  const ReviewState state = store.load("acme");
  EXPECT_EQ(state.statuses_of("item-0"), std::vector<Status>({Status::rejected}));
  EXPECT_EQ(state.map(Status::rejected).at("item-0"), (Entry{DecisionId{2, 5}, 9000, ""}));
  EXPECT_EQ(state.statuses_of("item-2"), std::vector<Status>({Status::approved}));
}

TEST_P(MigrationTest, TakenBackupKeyUsesNextNumber) {
  set("match-review-backup:acme", "an earlier backup");
  set("match-review-backup:acme:2", "another earlier backup");
  set("match-review:acme", make_blob(1));
  const MigrationReport report = migrate_blobs(*kv_, MigrationOptions{});
  ASSERT_EQ(report.companies.size(), 1u);
  EXPECT_EQ(report.companies[0].backup_key, "match-review-backup:acme:3");
  EXPECT_REPLY(kv_->execute(command(Op::get, "match-review-backup:acme")),
               Reply::bulk("an earlier backup"));
  EXPECT_REPLY(kv_->execute(command(Op::get, "match-review-backup:acme:3")),
               Reply::bulk(make_blob(1)));
}

TEST_P(MigrationTest, CompanyOptionConvertsOnlyThatCompany) {
  set("match-review:acme", make_blob(1));
  set("match-review:globex", make_blob(1));
  MigrationOptions options;
  options.company = "globex";
  const MigrationReport report = migrate_blobs(*kv_, options);
  ASSERT_EQ(report.companies.size(), 1u);
  EXPECT_EQ(report.companies[0].result, ConversionResult::converted);
  EXPECT_REPLY(kv_->execute(command(Op::exists, "match-review:acme")), Reply::number(1));
  EXPECT_REPLY(kv_->execute(command(Op::exists, "match-review:globex")), Reply::number(0));

  options.company = "initech";
  const MigrationReport missing = migrate_blobs(*kv_, options);
  ASSERT_EQ(missing.companies.size(), 1u);
  EXPECT_EQ(missing.companies[0].result, ConversionResult::skipped);
  EXPECT_NE(missing.companies[0].detail.find("no blob at match-review:initech"), std::string::npos);
}

TEST_P(MigrationTest, FindsBlobsAmongManyKeys) {
  for (int index = 0; index < 120; ++index) {
    set("match-review:" + company_name(index), make_blob(1));
    kv_->execute(command(Op::hset, hash_key_of(company_name(index), "approved"), "x",
                         R"({"by":"u1","seq":1,"at":1})"));
  }
  const std::vector<std::string> companies = find_blob_companies(*kv_, 10);
  ASSERT_EQ(companies.size(), 120u);
  EXPECT_EQ(companies.front(), company_name(0));
  EXPECT_EQ(companies.back(), company_name(119));
}

// Every interleaving of one conversion attempt with one concurrent save, on MemoryKv.

// Steps a program one command at a time on its own connection.
template <typename Result>
class Stepper {
 public:
  Stepper(Program<Result> program, Kv& kv) : program_(std::move(program)), kv_(kv) {
    program_.start();
  }
  bool done() const { return program_.done(); }
  void step() { program_.resume(kv_.execute(program_.slot().command)); }
  // Runs the pipelined commands up to and including the next one whose reply the program
  // reads: what production sends in one execute_pipeline call.
  void step_batch() {
    bool pipelined = true;
    while (pipelined && !done()) {
      pipelined = program_.slot().pipelined;
      step();
    }
  }
  Result result() { return program_.take_result(); }

 private:
  Program<Result> program_;
  Kv& kv_;
};

struct InterleavingCase {
  const char* strategy;
  bool transactional;
};

class MigrationInterleavingTest : public ::testing::TestWithParam<InterleavingCase> {};

INSTANTIATE_TEST_SUITE_P(Strategies, MigrationInterleavingTest,
                         ::testing::Values(InterleavingCase{"hset", false},
                                           InterleavingCase{"hset_multi", true}),
                         [](const auto& info) { return std::string(info.param.strategy); });

TEST_P(MigrationInterleavingTest, ConcurrentSaveIsNeverLost) {
  const std::string blob =
      R"({"approved":{"item-0":{"by":"import","seq":0,"at":1}},"rejected":{"item-1":{"by":"u2","seq":3,"at":2}}})";
  Catalog catalog;
  const CompanyId company = catalog.add_company("acme");
  const ItemId decided = catalog.add_item(company, "item-0");
  const HashStrategy strategy(catalog, GetParam().transactional);
  const Decision decision{DecisionId{1, 1}, company, decided, DecisionKind::reject, {}, 500};

  // `schedule[i]` selects the program that runs step i: true for the save. Every schedule that runs
  // both programs to their end is tried, by a depth-first walk that replays from the start.
  // The conversion moves one command per step, the save one batch per step: MULTI and the
  // commands queued after it change nothing that another connection can see before EXEC, so
  // interleaving inside the batch would only repeat schedules.
  std::size_t schedules_count = 0;
  std::function<void(std::vector<bool>&)> explore = [&](std::vector<bool>& schedule) {
    MemoryStore store;
    MemoryKv setup(store);
    setup.execute(command(Op::set, "match-review:acme", {}, blob));
    MemoryKv conversion_kv(store);
    MemoryKv save_kv(store);
    Stepper<ConversionAttempt> conversion(conversion_attempt("acme", false), conversion_kv);
    SaveRequest request;
    request.company = company;
    request.changes.push_back(decision);
    Stepper<SaveOutcome> save(strategy.save(std::move(request)), save_kv);
    for (const bool save_step : schedule) {
      if (save_step) {
        save.step_batch();
      } else {
        conversion.step();
      }
    }

    if (!conversion.done() || !save.done()) {
      for (const bool save_step : {false, true}) {
        if (save_step ? save.done() : conversion.done()) continue;
        schedule.push_back(save_step);
        explore(schedule);
        schedule.pop_back();
      }
      return;
    }

    ++schedules_count;
    ASSERT_TRUE(save.result().ok);
    ConversionAttempt attempt = conversion.result();
    // An aborted attempt is retried, as migrate_blobs does; nothing else runs meanwhile.
    for (int retry = 0; attempt.aborted && retry < 3; ++retry) {
      attempt = run_program(conversion_attempt("acme", false), conversion_kv);
    }
    ASSERT_FALSE(attempt.aborted);
    ASSERT_EQ(attempt.conversion.result, ConversionResult::converted);

    MemoryKv reader(store);
    ReviewStore review(reader);
    const ReviewState state = review.load("acme");
    const std::string where = "schedule of " + std::to_string(schedule.size()) + " steps";
    ASSERT_EQ(state.statuses_of("item-0"), std::vector<Status>({Status::rejected})) << where;
    EXPECT_EQ(state.map(Status::rejected).at("item-0"), entry_of(decision)) << where;
    EXPECT_EQ(state.map(Status::rejected).at("item-1"), (Entry{DecisionId{2, 3}, 2, ""})) << where;
    EXPECT_EQ(reader.execute(command(Op::get, "match-review-backup:acme")), Reply::bulk(blob));
    EXPECT_EQ(reader.execute(command(Op::exists, "match-review:acme")), Reply::number(0));
  };
  std::vector<bool> schedule;
  explore(schedule);
  // About 15 conversion commands with 3 save steps for hset, or 1 for hset-multi.
  EXPECT_GE(schedules_count, GetParam().transactional ? 12u : 500u);
}

// A real migration while other clients keep writing.

TEST(MigrationConcurrency, WritersDuringMigrationLoseNothing) {
  auto kv = connect_shared();
  ASSERT_EQ(kv->execute(command(Op::flushdb)), Reply::ok());
  constexpr int kCompanies = 30;
  constexpr int kItems = 12;
  constexpr int kWriters = 3;
  constexpr int kWriterOperationsMax = 20000;
  std::vector<Command> seed;
  for (int index = 0; index < kCompanies; ++index) {
    seed.push_back(command(Op::set, "match-review:" + company_name(index), {}, make_blob(kItems)));
  }
  kv->execute_pipeline(seed);

  // Writer w decides only items whose number is w modulo kWriters, so that the last
  // acknowledged decision of each item is known without knowing Redis's commit order.
  std::atomic<bool> stop = false;
  std::vector<std::map<std::pair<int, int>, ReviewDecision>> last_decisions(kWriters);
  std::vector<std::thread> writers;
  for (int writer = 0; writer < kWriters; ++writer) {
    writers.emplace_back([&, writer] {
      auto connection = connect_shared();
      ReviewStore store(*connection);
      std::uint32_t seq = 0;
      for (int operation = 0; operation < kWriterOperationsMax && !stop; ++operation) {
        const int company = (operation * 7 + writer) % kCompanies;
        const int item = writer + kWriters * (operation % (kItems / kWriters));
        const DecisionKind kind = operation % 3 == 0 ? DecisionKind::reject : DecisionKind::approve;
        const ReviewDecision decision{kind, fmt::format("item-{}", item), {},
                                      Author{static_cast<UserId>(writer + 1), ++seq, operation}};
        store.save(company_name(company), std::span<const ReviewDecision>(&decision, 1));
        last_decisions[writer][{company, item}] = decision;
      }
    });
  }

  MigrationOptions options;
  options.attempts_max = 200;
  const MigrationReport report = migrate_blobs(*kv, options);
  // Let the writers go on after the migration too, then stop them.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  for (std::thread& thread : writers) thread.join();

  EXPECT_EQ(report.count(ConversionResult::converted), static_cast<std::size_t>(kCompanies));
  int retried = 0;
  for (const CompanyConversion& conversion : report.companies) retried += conversion.attempts > 1;

  ReviewStore reader(*kv);
  for (int company = 0; company < kCompanies; ++company) {
    const std::string name = company_name(company);
    EXPECT_REPLY(kv->execute(command(Op::get, "match-review-backup:" + name)),
                 Reply::bulk(make_blob(kItems)));
    const ReviewState state = reader.load(name);
    for (int item = 0; item < kItems; ++item) {
      const std::string item_name = fmt::format("item-{}", item);
      const auto& decisions = last_decisions[item % kWriters];
      const auto written = decisions.find({company, item});
      const std::vector<Status> statuses = state.statuses_of(item_name);
      ASSERT_EQ(statuses.size(), 1u) << name << " " << item_name;
      if (written == decisions.end()) {
        // Untouched by the writers: the blob's entry.
        EXPECT_EQ(statuses[0], item % 2 == 0 ? Status::approved : Status::rejected);
        EXPECT_EQ(state.map(statuses[0]).at(item_name).id.user, kImportUser);
        continue;
      }
      const ReviewDecision& decision = written->second;
      EXPECT_EQ(statuses[0], *target_status(decision.kind)) << name << " " << item_name;
      EXPECT_EQ(state.map(statuses[0]).at(item_name).id,
                (DecisionId{decision.author.user, decision.author.seq}))
          << name << " " << item_name;
    }
  }
  EXPECT_TRUE(migrate_blobs(*kv, MigrationOptions{}).companies.empty());
  std::cout << fmt::format("[          ] {} companies converted while {} writers ran; {} needed "
                           "more than one attempt\n",
                           kCompanies, kWriters, retried);
}

// Redis stopped mid-run.

// Forwards to a RedisKv and, just before the batch that carries the `stop_at`-th MULTI, makes
// the server save its data and exit. The test can then tell which companies were converted.
class StoppingKv final : public Kv {
 public:
  StoppingKv(RedisKv& inner, RedisServerProcess& server, int stop_at)
      : inner_(inner), server_(server), stop_at_(stop_at) {}

  Reply execute(const Command& command) override { return inner_.execute(command); }
  std::vector<Reply> execute_pipeline(std::span<const Command> commands) override {
    const bool has_multi = std::any_of(commands.begin(), commands.end(),
                                       [](const Command& command) { return command.op == Op::multi; });
    if (has_multi && ++multi_count_ == stop_at_) shut_down_server();
    return inner_.execute_pipeline(commands);
  }

 private:
  void shut_down_server() {
    RedisOptions options;
    options.url = RedisUrl::parse(server_.url());
    RedisKv admin(options);
    // SHUTDOWN closes the connection instead of replying.
    EXPECT_THROW(admin.execute_words({"SHUTDOWN", "SAVE"}), KvError);
    EXPECT_TRUE(server_.wait_for_exit(5000));
  }

  RedisKv& inner_;
  RedisServerProcess& server_;
  int stop_at_;
  int multi_count_ = 0;
};

void seed_companies(const std::string& url, int companies_count, int items_count) {
  RedisOptions options;
  options.url = RedisUrl::parse(url);
  RedisKv kv(options);
  std::vector<Command> seed;
  for (int index = 0; index < companies_count; ++index) {
    seed.push_back(command(Op::set, "match-review:" + company_name(index), {},
                           make_blob(items_count)));
  }
  kv.execute_pipeline(seed);
}

// Which companies are converted in the server's data, checking that none is half-written:
// each has either its blob and nothing else, or its backup and every entry in the hashes.
std::vector<bool> converted_companies(Kv& kv, int companies_count, int items_count) {
  std::vector<bool> converted;
  for (int index = 0; index < companies_count; ++index) {
    const std::string name = company_name(index);
    const bool has_blob = kv.execute(command(Op::exists, "match-review:" + name)).integer == 1;
    const bool has_backup = kv.execute(command(Op::exists, "match-review-backup:" + name)).integer == 1;
    const Reply approved = kv.execute(command(Op::hgetall, hash_key_of(name, "approved")));
    const Reply rejected = kv.execute(command(Op::hgetall, hash_key_of(name, "rejected")));
    const std::size_t fields = (approved.elements.size() + rejected.elements.size()) / 2;
    EXPECT_NE(has_blob, has_backup) << name;
    EXPECT_EQ(fields, has_backup ? static_cast<std::size_t>(items_count) : 0u) << name;
    converted.push_back(has_backup);
  }
  return converted;
}

TEST(MigrationStop, StoppedServerLeavesNoHalfCompany) {
  constexpr int kCompanies = 10;
  constexpr int kItems = 6;
  auto server = std::make_unique<RedisServerProcess>();
  const std::filesystem::path directory = server->directory();
  seed_companies(server->url(), kCompanies, kItems);

  RedisOptions options;
  options.url = RedisUrl::parse(server->url());
  RedisKv kv(options);
  StoppingKv stopping(kv, *server, /*stop_at=*/4);
  std::vector<std::string> reported;
  try {
    migrate_blobs(stopping, MigrationOptions{}, [&](const CompanyConversion& conversion) {
      reported.push_back(conversion.company);
    });
    FAIL() << "expected a KvError";
  } catch (const KvError& error) {
    EXPECT_EQ(error.kind(), KvErrorKind::connect_failed) << error.what();
  }
  EXPECT_EQ(reported.size(), 3u);

  // A new server on the same directory loads the data the old one saved at SHUTDOWN.
  RedisServerProcess restarted({{}, directory});
  RedisOptions restarted_options;
  restarted_options.url = RedisUrl::parse(restarted.url());
  RedisKv reader(restarted_options);
  const std::vector<bool> converted = converted_companies(reader, kCompanies, kItems);
  for (int index = 0; index < kCompanies; ++index) {
    EXPECT_EQ(converted[index], index < 3) << company_name(index);
  }
}

// The reviewsim migrate command.

class MigrateCommandTest : public SharedRedisTest {
 protected:
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(shared_redis_port()); }
};

TEST_F(MigrateCommandTest, ConvertsAndExitsZeroThenFindsNothing) {
  kv_->execute(command(Op::set, "match-review:acme", {}, make_blob(3)));
  const CliResult first = run_cli({"migrate", "--redis", url()});
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("converted acme: wrote 2 approved, 1 rejected, 0 manual; blob moved "
                           "to match-review-backup:acme"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("migrate: 1 converted, 0 would convert, 0 skipped, 0 failed"),
            std::string::npos)
      << first.out;

  const CliResult second = run_cli({"migrate", "--redis", url()});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("Nothing to convert"), std::string::npos) << second.out;
}

TEST_F(MigrateCommandTest, DryRunExitsZeroAndWritesNothing) {
  kv_->execute(command(Op::set, "match-review:acme", {}, make_blob(3)));
  const CliResult result = run_cli({"migrate", "--redis", url(), "--dry-run", "--company", "acme"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("would convert acme"), std::string::npos) << result.out;
  EXPECT_REPLY(kv_->execute(command(Op::exists, "match-review:acme")), Reply::number(1));
  EXPECT_REPLY(kv_->execute(command(Op::exists, "match-review-backup:acme")), Reply::number(0));
}

TEST_F(MigrateCommandTest, FailedCompanyExitsOne) {
  kv_->execute(command(Op::set, "match-review:acme", {}, make_blob(3)));
  kv_->execute(command(Op::set, "match-review:broken", {}, "not json"));
  const CliResult result = run_cli({"migrate", "--redis", url()});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("failed broken: match-review:broken: the blob is not valid JSON; "
                            "left untouched"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("1 converted, 0 would convert, 0 skipped, 1 failed"), std::string::npos)
      << result.out;
}

TEST_F(MigrateCommandTest, BadUrlExitsTwo) {
  const CliResult result = run_cli({"migrate", "--redis", "redis://:pw123@127.0.0.1:notaport"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("the port \"notaport\""), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("pw123"), std::string::npos) << result.err;
}

TEST_F(MigrateCommandTest, UnreachableRedisExitsThree) {
  const CliResult result = run_cli(
      {"migrate", "--redis", "redis://127.0.0.1:" + std::to_string(find_free_port())});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.err.find("cannot connect to Redis"), std::string::npos) << result.err;
}

TEST_F(MigrateCommandTest, WrongPasswordExitsThreeWithoutShowingIt) {
  RedisServerProcess server({{"--requirepass", "right-password"}, {}});
  const CliResult result = run_cli({"migrate", "--redis", server.url("wrong-password")});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.err.find("rejected the password"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("wrong-password"), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find("wrong-password"), std::string::npos) << result.out;
}

TEST_F(MigrateCommandTest, ServerStoppedMidRunExitsThree) {
  constexpr int kCompanies = 1500;
  constexpr int kItems = 4;
  auto server = std::make_unique<RedisServerProcess>();
  const std::filesystem::path directory = server->directory();
  seed_companies(server->url(), kCompanies, kItems);

  CliProcess migrate({"migrate", "--redis", server->url()});
  {
    // Stop the server as soon as the first company is converted.
    RedisOptions options;
    options.url = RedisUrl::parse(server->url());
    RedisKv watcher(options);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (watcher.execute(command(Op::exists, "match-review-backup:" + company_name(0))).integer == 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    }
    EXPECT_THROW(watcher.execute_words({"SHUTDOWN", "SAVE"}), KvError);
    ASSERT_TRUE(server->wait_for_exit(5000));
  }
  const CliResult result = migrate.wait();
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_NE(result.err.find("migrate stopped"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("either fully converted or untouched"), std::string::npos) << result.err;

  RedisServerProcess restarted({{}, directory});
  RedisOptions options;
  options.url = RedisUrl::parse(restarted.url());
  RedisKv reader(options);
  const std::vector<bool> converted = converted_companies(reader, kCompanies, kItems);
  const auto converted_count = std::count(converted.begin(), converted.end(), true);
  EXPECT_GE(converted_count, 1);
  EXPECT_LT(converted_count, kCompanies);
  // The report lines name exactly the companies that the saved data shows converted, or one
  // fewer when the server stopped after an EXEC but before its reply went out.
  std::size_t reported = 0;
  for (std::size_t at = result.out.find("converted c"); at != std::string::npos;
       at = result.out.find("converted c", at + 1)) {
    ++reported;
  }
  EXPECT_LE(reported, static_cast<std::size_t>(converted_count));
  EXPECT_GE(reported + 1, static_cast<std::size_t>(converted_count));
}

}  // namespace
}  // namespace reviewsim::testing
