// The strategy programs on MemoryKv. Covers save then load round trips, the merge rules of each
// strategy, the exact KV commands of the hash layouts and the StoreDelta attached to every write.
// Also covers the errors a load reports for stored data it cannot read, and the stored JSON.

#include "adapters/strategy.h"

#include <bit>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/memory_kv.h"
#include "adapters/review_json.h"

namespace reviewsim {
namespace {

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

// One command of a program as the caller saw it while stepping.
struct ProgramStep {
  Command command;
  std::optional<StoreDelta> delta;
  bool pipelined = false;
  Reply reply;
};

bool is_write(Op op) { return op == Op::set || op == Op::hset || op == Op::hdel; }

bool uses_hash_layout(std::string_view strategy_name) {
  return strategy_name == "hset" || strategy_name == "hset-multi";
}

std::string describe_state(const CompanyState& state, const Catalog& catalog) {
  std::string line;
  for (const Status status : kStatuses) {
    line += std::string(status_name(status)) + "{";
    bool first = true;
    for (const auto& [item, entry] : state.map(status)) {
      if (!first) line += ", ";
      first = false;
      line += catalog.item_name(item) + ": " + user_name(entry.id.user) + "#" +
              std::to_string(entry.id.seq) + "@" + std::to_string(entry.at_ms);
      if (!entry.node.empty()) line += " node " + entry.node;
    }
    line += "} ";
  }
  return line;
}

// Applies what one write command did to the store, as the delta describes it.
void apply_delta(const StoreDelta& delta, std::vector<CompanyState>& shadow) {
  ASSERT_LT(delta.key_company, shadow.size());
  CompanyState& state = shadow[delta.key_company];
  if (delta.replaces_company) {
    // A blob's removals name the clears it carries out, on items the blob no longer holds.
    for (const EntryRemoval& removal : delta.removals) {
      for (const EntryPut& put : delta.puts) EXPECT_NE(put.item, removal.item);
    }
    state = CompanyState{};
  }
  for (const EntryRemoval& removal : delta.removals) state.map(removal.status).erase(removal.item);
  for (const EntryPut& put : delta.puts) state.map(put.status)[put.item] = put.entry;
}

// Company "acme" with items a-1, a-2 and a-3, and company "beta" with item b-1. Each test has
// one store and one connection to it.
class StrategyTest : public ::testing::Test {
 protected:
  StrategyTest() {
    acme_ = catalog_.add_company("acme");
    beta_ = catalog_.add_company("beta");
    a1_ = catalog_.add_item(acme_, "a-1");
    a2_ = catalog_.add_item(acme_, "a-2");
    a3_ = catalog_.add_item(acme_, "a-3");
    b1_ = catalog_.add_item(beta_, "b-1");
  }

  std::unique_ptr<Strategy> strategy(std::string_view name) {
    std::unique_ptr<Strategy> created = make_strategy(name, catalog_);
    EXPECT_NE(created, nullptr) << name;
    return created;
  }

  // A decision on `item` of the item's own company, 100 ms after the previous one.
  Decision decide(UserId user, std::uint32_t seq, ItemId item, DecisionKind kind,
                  std::string node = {}) {
    time_ms_ += 100;
    if (kind == DecisionKind::manual_match && node.empty()) node = "node-" + std::to_string(seq);
    return Decision{
        DecisionId{user, seq}, catalog_.company_of(item), item, kind, std::move(node), time_ms_};
  }

  static CompanyState applied(CompanyState state, const std::vector<Decision>& decisions) {
    for (const Decision& decision : decisions) state.apply(decision);
    return state;
  }

  static SaveRequest request(CompanyId company, CompanyState view, std::vector<Decision> changes,
                             Payload payload = Payload::changed_entries) {
    return SaveRequest{company, std::move(view), std::move(changes), payload};
  }

  SaveOutcome save(const Strategy& strategy, SaveRequest save_request) {
    return run_program(strategy.save(std::move(save_request)), kv_);
  }

  SaveOutcome seed(const Strategy& strategy, CompanyId company, CompanyState state) {
    return run_program(strategy.seed(company, std::move(state)), kv_);
  }

  LoadOutcome load(const Strategy& strategy, CompanyId company) {
    return run_program(strategy.load(company), kv_);
  }

  // Steps a program one command at a time, as the simulator does, and records each command.
  template <typename Result>
  std::vector<ProgramStep> step(Program<Result> program, Result* result = nullptr) {
    std::vector<ProgramStep> steps;
    program.start();
    while (!program.done()) {
      ProgramSlot& slot = program.slot();
      Reply reply = kv_.execute(slot.command);
      steps.push_back(ProgramStep{slot.command, slot.delta, slot.pipelined, reply});
      program.resume(std::move(reply));
    }
    Result program_result = program.take_result();
    if (result != nullptr) *result = std::move(program_result);
    return steps;
  }

  // The company's state read straight from the store, without a load program.
  CompanyState decode_store(CompanyId company, bool hash_layout) {
    CompanyState state;
    if (!hash_layout) {
      const MemoryStore::Value* value = store_.find(blob_key(catalog_, company));
      if (value == nullptr) return state;
      const auto* blob = std::get_if<std::string>(value);
      EXPECT_NE(blob, nullptr) << "the blob key holds a hash";
      return blob == nullptr ? state : decode_blob(*blob, catalog_);
    }

    for (const Status status : kStatuses) {
      const MemoryStore::Value* value = store_.find(hash_key(catalog_, company, status));
      if (value == nullptr) continue;
      const auto* hash = std::get_if<MemoryStore::Hash>(value);
      EXPECT_NE(hash, nullptr) << "a status key holds a string";
      if (hash == nullptr) continue;
      for (const auto& [field, json] : *hash) {
        const auto item = catalog_.find_item(field);
        EXPECT_TRUE(item.has_value()) << field;
        if (item) state.map(status)[*item] = decode_entry(json);
      }
    }
    return state;
  }

  // Runs a program one command per step. After every step, applies the deltas of the writes
  // that reached the store (a queued write reaches it at its EXEC) to `shadow` and checks that
  // `shadow` equals the decoded store of every company.
  template <typename Result>
  Result run_checking_deltas(Program<Result> program, std::string_view strategy_name,
                             CompanyId key_company, std::vector<CompanyState>& shadow) {
    const bool hash_layout = uses_hash_layout(strategy_name);
    std::vector<StoreDelta> queued_deltas;
    bool in_multi = false;

    program.start();
    while (!program.done()) {
      ProgramSlot& slot = program.slot();
      const Command command = slot.command;
      const std::optional<StoreDelta> delta = slot.delta;
      Reply reply = kv_.execute(command);
      const std::string where = std::string(strategy_name) + ": " + format_command(command, 30);

      EXPECT_EQ(delta.has_value(), is_write(command.op)) << where;
      if (delta) {
        EXPECT_EQ(delta->key_company, key_company) << where;
      }
      if (delta && in_multi) {
        queued_deltas.push_back(*delta);
      } else if (delta && !reply.is_error()) {
        apply_delta(*delta, shadow);
      }

      if (command.op == Op::multi) in_multi = true;
      if (command.op == Op::exec) {
        in_multi = false;
        EXPECT_EQ(reply.type, Reply::Type::array) << where;
        // Only the queued writes that EXEC ran without an error changed the store.
        for (std::size_t index = 0; index < queued_deltas.size(); ++index) {
          const bool applied = index < reply.elements.size() && !reply.elements[index].is_error();
          if (applied) apply_delta(queued_deltas[index], shadow);
        }
        queued_deltas.clear();
      }

      for (CompanyId company = 0; company < shadow.size(); ++company) {
        const CompanyState decoded = decode_store(company, hash_layout);
        EXPECT_EQ(decoded, shadow[company])
            << where << "\ncompany " << catalog_.company_name(company)
            << "\nstore:  " << describe_state(decoded, catalog_)
            << "\ndeltas: " << describe_state(shadow[company], catalog_);
      }
      program.resume(std::move(reply));
    }
    return program.take_result();
  }

  std::string describe(const CompanyState& state) const { return describe_state(state, catalog_); }

  Catalog catalog_;
  CompanyId acme_ = 0;
  CompanyId beta_ = 0;
  ItemId a1_ = 0;
  ItemId a2_ = 0;
  ItemId a3_ = 0;
  ItemId b1_ = 0;
  TimeMs time_ms_ = 0;
  MemoryStore store_;
  MemoryKv kv_{store_};
};

#define EXPECT_STATE(actual, expected)                            \
  EXPECT_EQ(actual, expected) << "actual:   " << describe(actual) \
                              << "\nexpected: " << describe(expected)

// Names and keys.

TEST_F(StrategyTest, NamesMakeStrategies) {
  const std::vector<std::string_view> names(strategy_names().begin(), strategy_names().end());
  EXPECT_EQ(names, (std::vector<std::string_view>{"full-overwrite", "read-merge-write", "hset",
                                                  "hset-multi"}));

  for (const std::string_view name : strategy_names()) {
    const auto created = make_strategy(name, catalog_);
    ASSERT_NE(created, nullptr) << name;
    EXPECT_EQ(created->name(), name);
  }
  EXPECT_EQ(make_strategy("hset-lua", catalog_), nullptr);
  EXPECT_EQ(make_strategy("", catalog_), nullptr);
}

TEST_F(StrategyTest, KeyNames) {
  EXPECT_EQ(blob_key(catalog_, acme_), "match-review:acme");
  EXPECT_EQ(blob_key(catalog_, beta_), "match-review:beta");
  EXPECT_EQ(hash_key(catalog_, acme_, Status::approved), "match-review:acme:approved");
  EXPECT_EQ(hash_key(catalog_, acme_, Status::rejected), "match-review:acme:rejected");
  EXPECT_EQ(hash_key(catalog_, beta_, Status::manual), "match-review:beta:manual");
}

// Round trips.

TEST_F(StrategyTest, SaveThenLoadReturnsState) {
  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    const auto tested = strategy(name);
    const std::vector<Decision> changes = {decide(1, 1, a1_, DecisionKind::approve),
                                           decide(2, 1, a2_, DecisionKind::reject),
                                           decide(1, 2, a3_, DecisionKind::manual_match, "n-7")};
    const CompanyState view = applied({}, changes);

    const SaveOutcome saved = save(*tested, request(acme_, view, changes));
    ASSERT_TRUE(saved.ok) << saved.error;

    const LoadOutcome loaded = load(*tested, acme_);
    ASSERT_TRUE(loaded.ok) << loaded.error;
    EXPECT_STATE(loaded.state, view);
    const Entry* manual = loaded.state.find(a3_, Status::manual);
    ASSERT_NE(manual, nullptr);
    EXPECT_EQ(manual->node, "n-7");

    const LoadOutcome other = load(*tested, beta_);
    ASSERT_TRUE(other.ok) << other.error;
    EXPECT_TRUE(other.state.empty());
  }
}

TEST_F(StrategyTest, WholeViewPayloadRoundTrips) {
  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    const auto tested = strategy(name);
    const std::vector<Decision> changes = {decide(3, 1, a1_, DecisionKind::reject),
                                           decide(3, 2, a2_, DecisionKind::approve)};
    const CompanyState view = applied({}, changes);

    ASSERT_TRUE(save(*tested, request(acme_, view, changes, Payload::whole_view)).ok);

    const LoadOutcome loaded = load(*tested, acme_);
    ASSERT_TRUE(loaded.ok) << loaded.error;
    EXPECT_STATE(loaded.state, view);
  }
}

TEST_F(StrategyTest, SeedThenLoadReturnsState) {
  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    const auto tested = strategy(name);
    CompanyState state;
    state.put(a1_, Status::approved, Entry{DecisionId{kImportUser, 1}, 0, ""});
    state.put(a2_, Status::manual, Entry{DecisionId{kImportUser, 2}, 0, "node-x"});
    state.put(a3_, Status::rejected, Entry{DecisionId{4, 9}, 1530, ""});

    const SaveOutcome seeded = seed(*tested, acme_, state);
    ASSERT_TRUE(seeded.ok) << seeded.error;

    const LoadOutcome loaded = load(*tested, acme_);
    ASSERT_TRUE(loaded.ok) << loaded.error;
    EXPECT_STATE(loaded.state, state);
  }
}

TEST_F(StrategyTest, LoadMissingCompanyIsEmpty) {
  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    const LoadOutcome loaded = load(*strategy(name), acme_);
    EXPECT_TRUE(loaded.ok) << loaded.error;
    EXPECT_TRUE(loaded.error.empty());
    EXPECT_TRUE(loaded.state.empty());
  }
}

TEST_F(StrategyTest, SaveWritesLayoutKeys) {
  const std::vector<Decision> changes = {decide(1, 1, a1_, DecisionKind::approve)};
  const CompanyState view = applied({}, changes);

  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    ASSERT_TRUE(save(*strategy(name), request(acme_, view, changes)).ok);

    if (uses_hash_layout(name)) {
      // The HDELs find no rejected or manual hash, so only the approved hash exists.
      EXPECT_EQ(store_.keys(), std::vector<std::string>{"match-review:acme:approved"});
      const auto* hash = std::get_if<MemoryStore::Hash>(store_.find("match-review:acme:approved"));
      ASSERT_NE(hash, nullptr);
      ASSERT_EQ(hash->size(), 1u);
      EXPECT_EQ((*hash)[0].first, "a-1");
      EXPECT_EQ((*hash)[0].second, encode_entry(entry_of(changes[0])));
    } else {
      EXPECT_EQ(store_.keys(), std::vector<std::string>{"match-review:acme"});
      const auto* blob = std::get_if<std::string>(store_.find("match-review:acme"));
      ASSERT_NE(blob, nullptr);
      EXPECT_EQ(*blob, encode_blob(view, catalog_));
    }
  }
}

TEST_F(StrategyTest, StatusChangeMovesItem) {
  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    const auto tested = strategy(name);
    const Decision approve = decide(1, 1, a1_, DecisionKind::approve);
    const Decision reject = decide(2, 1, a1_, DecisionKind::reject);
    const Decision manual = decide(1, 2, a1_, DecisionKind::manual_match);

    ASSERT_TRUE(save(*tested, request(acme_, applied({}, {approve}), {approve})).ok);
    ASSERT_TRUE(save(*tested, request(acme_, applied({}, {approve, reject}), {reject})).ok);
    LoadOutcome loaded = load(*tested, acme_);
    ASSERT_TRUE(loaded.ok) << loaded.error;
    EXPECT_EQ(loaded.state.statuses_of(a1_), std::vector<Status>{Status::rejected});
    EXPECT_STATE(loaded.state, applied({}, {reject}));

    const CompanyState view = applied({}, {approve, reject, manual});
    ASSERT_TRUE(save(*tested, request(acme_, view, {manual})).ok);
    loaded = load(*tested, acme_);
    ASSERT_TRUE(loaded.ok) << loaded.error;
    EXPECT_STATE(loaded.state, view);
  }
}

TEST_F(StrategyTest, WrongCompanyWriteUsesRequestKey) {
  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    const auto tested = strategy(name);
    // The legacy client saves an acme decision while the dropdown shows beta.
    const Decision approve = decide(1, 1, a1_, DecisionKind::approve);
    const CompanyState view = applied({}, {approve});

    ASSERT_TRUE(save(*tested, request(beta_, view, {approve})).ok);

    const LoadOutcome beta = load(*tested, beta_);
    ASSERT_TRUE(beta.ok) << beta.error;
    EXPECT_STATE(beta.state, view);
    const LoadOutcome acme = load(*tested, acme_);
    ASSERT_TRUE(acme.ok) << acme.error;
    EXPECT_TRUE(acme.state.empty()) << describe(acme.state);
  }
}

// Merge rules of the blob strategies.

TEST_F(StrategyTest, FullOverwriteReplacesCompany) {
  const auto tested = strategy("full-overwrite");
  const std::vector<Decision> before = {decide(2, 1, a1_, DecisionKind::approve),
                                        decide(2, 2, a2_, DecisionKind::reject)};
  const std::vector<Decision> beta_decisions = {decide(2, 3, b1_, DecisionKind::approve)};
  ASSERT_TRUE(save(*tested, request(acme_, applied({}, before), before)).ok);
  ASSERT_TRUE(save(*tested, request(beta_, applied({}, beta_decisions), beta_decisions)).ok);

  // u1's view was loaded before u2 decided anything.
  const Decision manual = decide(1, 1, a3_, DecisionKind::manual_match);
  const CompanyState view = applied({}, {manual});
  ASSERT_TRUE(save(*tested, request(acme_, view, {manual})).ok);

  const LoadOutcome loaded = load(*tested, acme_);
  ASSERT_TRUE(loaded.ok) << loaded.error;
  EXPECT_STATE(loaded.state, view);
  const LoadOutcome beta = load(*tested, beta_);
  ASSERT_TRUE(beta.ok) << beta.error;
  EXPECT_STATE(beta.state, applied({}, beta_decisions));
}

TEST_F(StrategyTest, FullOverwriteIsOneSet) {
  const auto tested = strategy("full-overwrite");
  const Decision approve = decide(1, 1, a1_, DecisionKind::approve);
  const CompanyState view = applied({}, {approve});

  SaveOutcome outcome;
  const std::vector<ProgramStep> steps =
      step(tested->save(request(acme_, view, {approve})), &outcome);

  ASSERT_TRUE(outcome.ok) << outcome.error;
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].command,
            (Command{Op::set, "match-review:acme", {}, encode_blob(view, catalog_)}));
  EXPECT_FALSE(steps[0].pipelined);
  EXPECT_EQ(steps[0].reply, Reply::ok());
}

TEST_F(StrategyTest, ReadMergeWriteIsGetThenSet) {
  const auto tested = strategy("read-merge-write");
  const Decision approve = decide(1, 1, a1_, DecisionKind::approve);
  const CompanyState view = applied({}, {approve});

  SaveOutcome outcome;
  const std::vector<ProgramStep> steps =
      step(tested->save(request(acme_, view, {approve})), &outcome);

  ASSERT_TRUE(outcome.ok) << outcome.error;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].command, (Command{Op::get, "match-review:acme", {}, {}}));
  EXPECT_FALSE(steps[0].delta.has_value());
  EXPECT_EQ(steps[1].command,
            (Command{Op::set, "match-review:acme", {}, encode_blob(view, catalog_)}));
  EXPECT_TRUE(steps[1].delta.has_value());
}

TEST_F(StrategyTest, ReadMergeWriteMergesChangedEntries) {
  const auto tested = strategy("read-merge-write");
  const Decision theirs = decide(2, 1, a1_, DecisionKind::approve);
  ASSERT_TRUE(save(*tested, request(acme_, applied({}, {theirs}), {theirs})).ok);

  // u1's view predates u2's approval of a-1. The changed entries carry only a-2.
  const Decision mine = decide(1, 1, a2_, DecisionKind::reject);
  ASSERT_TRUE(save(*tested, request(acme_, applied({}, {mine}), {mine})).ok);

  LoadOutcome loaded = load(*tested, acme_);
  ASSERT_TRUE(loaded.ok) << loaded.error;
  EXPECT_STATE(loaded.state, applied({}, {theirs, mine}));

  // A clear in the changed entries removes its item from the blob.
  const Decision clear = decide(1, 2, a1_, DecisionKind::clear);
  const Decision manual = decide(1, 3, a2_, DecisionKind::manual_match);
  ASSERT_TRUE(
      save(*tested, request(acme_, applied({}, {mine, clear, manual}), {clear, manual})).ok);

  loaded = load(*tested, acme_);
  ASSERT_TRUE(loaded.ok) << loaded.error;
  EXPECT_STATE(loaded.state, applied({}, {manual}));
}

TEST_F(StrategyTest, ReadMergeWriteWholeViewKeepsCleared) {
  const auto tested = strategy("read-merge-write");
  const std::vector<Decision> before = {decide(2, 1, a1_, DecisionKind::approve),
                                        decide(2, 2, a2_, DecisionKind::approve)};
  ASSERT_TRUE(save(*tested, request(acme_, applied({}, before), before)).ok);

  // u1 clears a-1 and rejects a-2 and sends the whole view, which no longer contains a-1.
  const Decision clear = decide(1, 1, a1_, DecisionKind::clear);
  const Decision reject = decide(1, 2, a2_, DecisionKind::reject);
  const CompanyState view = applied(applied({}, before), {clear, reject});
  ASSERT_FALSE(view.find(a1_, Status::approved));
  ASSERT_TRUE(save(*tested, request(acme_, view, {clear, reject}, Payload::whole_view)).ok);

  const LoadOutcome loaded = load(*tested, acme_);
  ASSERT_TRUE(loaded.ok) << loaded.error;
  // A whole view cannot express a clear, so a-1 stays in the blob (documented behaviour). The
  // view's entry for a-2 still moves it out of approved.
  EXPECT_STATE(loaded.state, applied({}, {before[0], reject}));
  EXPECT_EQ(loaded.state.statuses_of(a2_), std::vector<Status>{Status::rejected});
}

TEST_F(StrategyTest, ReadMergeWriteWholeViewMerges) {
  const auto tested = strategy("read-merge-write");
  const Decision theirs = decide(2, 1, a1_, DecisionKind::approve);
  ASSERT_TRUE(save(*tested, request(acme_, applied({}, {theirs}), {theirs})).ok);

  // A stale whole view without a-1 does not remove u2's entry.
  const Decision mine = decide(1, 1, a3_, DecisionKind::reject);
  ASSERT_TRUE(save(*tested, request(acme_, applied({}, {mine}), {mine}, Payload::whole_view)).ok);

  const LoadOutcome loaded = load(*tested, acme_);
  ASSERT_TRUE(loaded.ok) << loaded.error;
  EXPECT_STATE(loaded.state, applied({}, {theirs, mine}));
}

// Commands of the hash layouts.

TEST_F(StrategyTest, HashSaveIsHsetAndTwoHdels) {
  const auto tested = strategy("hset");
  const std::vector<Decision> changes = {
      decide(1, 1, a1_, DecisionKind::approve), decide(1, 2, a2_, DecisionKind::manual_match),
      decide(1, 3, a3_, DecisionKind::reject), decide(1, 4, a1_, DecisionKind::clear)};

  SaveOutcome outcome;
  const std::vector<ProgramStep> steps =
      step(tested->save(request(acme_, applied({}, changes), changes)), &outcome);
  ASSERT_TRUE(outcome.ok) << outcome.error;

  const std::string approved = "match-review:acme:approved";
  const std::string rejected = "match-review:acme:rejected";
  const std::string manual = "match-review:acme:manual";
  const auto value = [&](std::size_t index) { return encode_entry(entry_of(changes[index])); };
  const std::vector<Command> expected = {
      {Op::hset, approved, "a-1", value(0)}, {Op::hdel, rejected, "a-1", {}},
      {Op::hdel, manual, "a-1", {}},         {Op::hset, manual, "a-2", value(1)},
      {Op::hdel, approved, "a-2", {}},       {Op::hdel, rejected, "a-2", {}},
      {Op::hset, rejected, "a-3", value(2)}, {Op::hdel, approved, "a-3", {}},
      {Op::hdel, manual, "a-3", {}},         {Op::hdel, approved, "a-1", {}},
      {Op::hdel, rejected, "a-1", {}},       {Op::hdel, manual, "a-1", {}},
  };
  ASSERT_EQ(steps.size(), expected.size());
  for (std::size_t index = 0; index < steps.size(); ++index) {
    EXPECT_EQ(format_command(steps[index].command, 200), format_command(expected[index], 200))
        << "command " << index;
    EXPECT_FALSE(steps[index].pipelined) << "command " << index;
    EXPECT_TRUE(steps[index].delta.has_value()) << "command " << index;
    EXPECT_FALSE(steps[index].reply.is_error()) << "command " << index;
  }
}

TEST_F(StrategyTest, HashSaveCountsPerDecision) {
  const auto tested = strategy("hset");
  const std::vector<Decision> changes = {decide(1, 1, a1_, DecisionKind::approve),
                                         decide(2, 1, a2_, DecisionKind::reject),
                                         decide(3, 1, a3_, DecisionKind::manual_match)};

  const std::vector<ProgramStep> steps =
      step(tested->save(request(acme_, applied({}, changes), changes)));

  int hset_count = 0;
  int hdel_count = 0;
  for (const ProgramStep& program_step : steps) {
    if (program_step.command.op == Op::hset) ++hset_count;
    if (program_step.command.op == Op::hdel) ++hdel_count;
  }
  EXPECT_EQ(steps.size(), 9u);
  EXPECT_EQ(hset_count, 3);
  EXPECT_EQ(hdel_count, 6);
}

TEST_F(StrategyTest, HashMultiWrapsEachDecision) {
  const auto tested = strategy("hset-multi");
  const std::vector<Decision> changes = {decide(1, 1, a1_, DecisionKind::approve),
                                         decide(1, 2, a2_, DecisionKind::clear)};

  Program<SaveOutcome> program = tested->save(request(acme_, applied({}, changes), changes));
  std::vector<ProgramStep> steps;
  program.start();
  while (!program.done()) {
    ProgramSlot& slot = program.slot();
    const CompanyState before = decode_store(acme_, /*hash_layout=*/true);
    Reply reply = kv_.execute(slot.command);
    // Nothing reaches the store before EXEC.
    if (slot.command.op != Op::exec) {
      EXPECT_EQ(decode_store(acme_, /*hash_layout=*/true), before) << format_command(slot.command);
    }
    steps.push_back(ProgramStep{slot.command, slot.delta, slot.pipelined, reply});
    program.resume(std::move(reply));
  }
  const SaveOutcome outcome = program.take_result();
  ASSERT_TRUE(outcome.ok) << outcome.error;

  const std::vector<Op> expected_ops = {Op::multi, Op::hset, Op::hdel, Op::hdel, Op::exec,
                                        Op::multi, Op::hdel, Op::hdel, Op::hdel, Op::exec};
  ASSERT_EQ(steps.size(), expected_ops.size());
  for (std::size_t index = 0; index < steps.size(); ++index) {
    const ProgramStep& program_step = steps[index];
    EXPECT_EQ(program_step.command.op, expected_ops[index]) << "command " << index;
    if (program_step.command.op == Op::multi) {
      EXPECT_EQ(program_step.reply, Reply::ok()) << "command " << index;
    } else if (program_step.command.op == Op::exec) {
      EXPECT_FALSE(program_step.pipelined) << "command " << index;
      EXPECT_EQ(program_step.reply.type, Reply::Type::array) << "command " << index;
      EXPECT_EQ(program_step.reply.elements.size(), 3u) << "command " << index;
    } else {
      EXPECT_TRUE(program_step.pipelined) << "command " << index;
      EXPECT_TRUE(program_step.delta.has_value()) << "command " << index;
      EXPECT_EQ(program_step.reply, Reply::status("QUEUED")) << "command " << index;
    }
  }
  EXPECT_EQ(steps[1].command, (Command{Op::hset, "match-review:acme:approved", "a-1",
                                       encode_entry(entry_of(changes[0]))}));
}

TEST_F(StrategyTest, HashLoadIsThreeHgetall) {
  const std::vector<Command> hgetalls = {
      {Op::hgetall, "match-review:acme:approved", {}, {}},
      {Op::hgetall, "match-review:acme:rejected", {}, {}},
      {Op::hgetall, "match-review:acme:manual", {}, {}},
  };

  const std::vector<ProgramStep> plain = step(strategy("hset")->load(acme_));
  ASSERT_EQ(plain.size(), 3u);
  for (std::size_t index = 0; index < 3; ++index) {
    EXPECT_EQ(plain[index].command, hgetalls[index]);
    EXPECT_FALSE(plain[index].pipelined);
    EXPECT_FALSE(plain[index].delta.has_value());
  }

  const std::vector<ProgramStep> wrapped = step(strategy("hset-multi")->load(acme_));
  ASSERT_EQ(wrapped.size(), 5u);
  EXPECT_EQ(wrapped[0].command.op, Op::multi);
  for (std::size_t index = 0; index < 3; ++index) {
    EXPECT_EQ(wrapped[index + 1].command, hgetalls[index]);
    EXPECT_TRUE(wrapped[index + 1].pipelined);
  }
  EXPECT_EQ(wrapped[4].command.op, Op::exec);
  EXPECT_FALSE(wrapped[4].pipelined);
  for (const ProgramStep& program_step : wrapped) EXPECT_FALSE(program_step.delta.has_value());
}

TEST_F(StrategyTest, EmptySave) {
  for (const std::string_view name : strategy_names()) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    SaveOutcome outcome;

    const std::vector<ProgramStep> steps =
        step(strategy(name)->save(request(acme_, {}, {})), &outcome);

    EXPECT_TRUE(outcome.ok) << outcome.error;
    if (uses_hash_layout(name)) {
      EXPECT_TRUE(steps.empty());
      EXPECT_EQ(store_.keys_count(), 0u);
    } else {
      // The blob strategies still write a blob with three empty status maps.
      ASSERT_FALSE(steps.empty());
      EXPECT_EQ(steps.back().command.op, Op::set);
      EXPECT_STATE(decode_store(acme_, /*hash_layout=*/false), CompanyState{});
    }
  }
}

// Two saves on two connections, one command per step.

// Runs the two programs on two connections to the store. `schedule` lists which program runs
// its next command (0 or 1). Afterwards each program runs to its end, the first one first.
void run_interleaved(Program<SaveOutcome> first, Program<SaveOutcome> second, MemoryStore& store,
                     const std::vector<int>& schedule) {
  MemoryKv first_kv(store);
  MemoryKv second_kv(store);
  Program<SaveOutcome>* programs[] = {&first, &second};
  MemoryKv* connections[] = {&first_kv, &second_kv};
  first.start();
  second.start();

  for (const int index : schedule) {
    Program<SaveOutcome>& program = *programs[index];
    ASSERT_FALSE(program.done());
    program.resume(connections[index]->execute(program.slot().command));
  }
  for (int index = 0; index < 2; ++index) {
    Program<SaveOutcome>& program = *programs[index];
    while (!program.done()) program.resume(connections[index]->execute(program.slot().command));
    const SaveOutcome outcome = program.take_result();
    EXPECT_TRUE(outcome.ok) << outcome.error;
  }
}

TEST_F(StrategyTest, HashRaceCanDropItem) {
  const auto tested = strategy("hset");
  const Decision approve = decide(1, 1, a1_, DecisionKind::approve);
  const Decision reject = decide(2, 1, a1_, DecisionKind::reject);

  // u1 sends its HSET, then u2 sends all three commands, then u1 sends its two HDELs. u2's HDEL
  // removes u1's entry and u1's HDEL removes u2's, so a-1 ends in no status at all.
  run_interleaved(tested->save(request(acme_, applied({}, {approve}), {approve})),
                  tested->save(request(acme_, applied({}, {reject}), {reject})), store_,
                  {0, 1, 1, 1});

  const LoadOutcome loaded = load(*tested, acme_);
  ASSERT_TRUE(loaded.ok) << loaded.error;
  EXPECT_TRUE(loaded.state.statuses_of(a1_).empty()) << describe(loaded.state);
}

TEST_F(StrategyTest, HashMultiKeepsOneStatus) {
  const auto tested = strategy("hset-multi");
  const Decision approve = decide(1, 1, a1_, DecisionKind::approve);
  const Decision reject = decide(2, 1, a1_, DecisionKind::reject);
  // Each save is MULTI, HSET, HDEL, HDEL, EXEC.
  const int commands_count = 5;

  // Every interleaving of the two saves' commands.
  for (unsigned mask = 0; mask < (1u << (2 * commands_count)); ++mask) {
    if (std::popcount(mask) != commands_count) continue;
    SCOPED_TRACE("schedule mask " + std::to_string(mask));
    store_.clear();
    std::vector<int> schedule;
    for (int bit = 0; bit < 2 * commands_count; ++bit) schedule.push_back((mask >> bit) & 1);

    run_interleaved(tested->save(request(acme_, applied({}, {approve}), {approve})),
                    tested->save(request(acme_, applied({}, {reject}), {reject})), store_,
                    schedule);

    const LoadOutcome loaded = load(*tested, acme_);
    ASSERT_TRUE(loaded.ok) << loaded.error;
    ASSERT_EQ(loaded.state.statuses_of(a1_).size(), 1u) << describe(loaded.state);
  }
}

// Store deltas.

TEST_F(StrategyTest, DeltasDescribeEachWrite) {
  struct Case {
    std::string_view strategy_name;
    Payload payload;
  };
  std::vector<Case> cases;
  for (const std::string_view name : strategy_names()) {
    cases.push_back(Case{name, Payload::changed_entries});
    cases.push_back(Case{name, Payload::whole_view});
  }

  for (const Case& tested_case : cases) {
    const std::string_view name = tested_case.strategy_name;
    SCOPED_TRACE(std::string(name) +
                 (tested_case.payload == Payload::whole_view ? " whole view" : " changed entries"));
    store_.clear();
    const auto tested = strategy(name);
    std::vector<CompanyState> shadow(catalog_.companies_count());

    CompanyState initial;
    initial.put(a1_, Status::approved, Entry{DecisionId{kImportUser, 1}, 0, ""});
    initial.put(a2_, Status::rejected, Entry{DecisionId{kImportUser, 2}, 0, ""});
    ASSERT_TRUE(run_checking_deltas(tested->seed(acme_, initial), name, acme_, shadow).ok);
    CompanyState beta_initial;
    beta_initial.put(b1_, Status::manual, Entry{DecisionId{kImportUser, 3}, 0, "node-b"});
    ASSERT_TRUE(run_checking_deltas(tested->seed(beta_, beta_initial), name, beta_, shadow).ok);

    // u1 moves a-1 to rejected and approves a-3.
    const std::vector<Decision> first = {decide(1, 1, a1_, DecisionKind::reject),
                                         decide(1, 2, a3_, DecisionKind::approve)};
    const CompanyState u1_view = applied(initial, first);
    SaveRequest first_request = request(acme_, u1_view, first, tested_case.payload);
    ASSERT_TRUE(
        run_checking_deltas(tested->save(std::move(first_request)), name, acme_, shadow).ok);

    // u2, whose view is stale, clears a-2 and manually matches a-1.
    const std::vector<Decision> second = {decide(2, 1, a2_, DecisionKind::clear),
                                          decide(2, 2, a1_, DecisionKind::manual_match, "n-1")};
    SaveRequest second_request =
        request(acme_, applied(initial, second), second, tested_case.payload);
    ASSERT_TRUE(
        run_checking_deltas(tested->save(std::move(second_request)), name, acme_, shadow).ok);

    // u1 saves an acme decision under beta's key.
    const std::vector<Decision> third = {decide(1, 3, a2_, DecisionKind::approve)};
    SaveRequest third_request = request(beta_, applied(u1_view, third), third, tested_case.payload);
    ASSERT_TRUE(
        run_checking_deltas(tested->save(std::move(third_request)), name, beta_, shadow).ok);

    // A load writes nothing.
    const LoadOutcome loaded = run_checking_deltas(tested->load(acme_), name, acme_, shadow);
    ASSERT_TRUE(loaded.ok) << loaded.error;
    EXPECT_STATE(loaded.state, shadow[acme_]);
  }
}

TEST_F(StrategyTest, HsetDeltaPutsAndRemovals) {
  const auto tested = strategy("hset");
  const Decision approve = decide(1, 1, a1_, DecisionKind::approve);

  const std::vector<ProgramStep> steps =
      step(tested->save(request(acme_, applied({}, {approve}), {approve})));

  ASSERT_EQ(steps.size(), 3u);
  ASSERT_TRUE(steps[0].delta.has_value());
  const StoreDelta& put = *steps[0].delta;
  EXPECT_EQ(put.key_company, acme_);
  EXPECT_FALSE(put.replaces_company);
  ASSERT_EQ(put.puts.size(), 1u);
  EXPECT_TRUE(put.removals.empty());
  EXPECT_EQ(put.puts[0].item, a1_);
  EXPECT_EQ(put.puts[0].status, Status::approved);
  EXPECT_EQ(put.puts[0].entry, entry_of(approve));

  const Status removed_statuses[] = {Status::rejected, Status::manual};
  for (std::size_t index = 0; index < 2; ++index) {
    ASSERT_TRUE(steps[index + 1].delta.has_value());
    const StoreDelta& removal = *steps[index + 1].delta;
    EXPECT_TRUE(removal.puts.empty());
    ASSERT_EQ(removal.removals.size(), 1u);
    EXPECT_EQ(removal.removals[0].item, a1_);
    EXPECT_EQ(removal.removals[0].status, removed_statuses[index]);
    EXPECT_EQ(removal.removals[0].cause, approve.id);
  }
}

TEST_F(StrategyTest, BlobDeltaReplacesCompany) {
  for (const std::string_view name : {"full-overwrite", "read-merge-write"}) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    const auto tested = strategy(name);
    const Decision approve = decide(1, 1, a1_, DecisionKind::approve);
    const CompanyState view = applied({}, {approve});

    const std::vector<ProgramStep> steps = step(tested->save(request(acme_, view, {approve})));

    ASSERT_FALSE(steps.empty());
    const ProgramStep& set = steps.back();
    ASSERT_EQ(set.command.op, Op::set);
    ASSERT_TRUE(set.delta.has_value());
    EXPECT_TRUE(set.delta->replaces_company);
    EXPECT_EQ(set.delta->key_company, acme_);
    EXPECT_TRUE(set.delta->removals.empty());
    ASSERT_EQ(set.delta->puts.size(), 1u);
    EXPECT_EQ(set.delta->puts[0].item, a1_);
    EXPECT_EQ(set.delta->puts[0].entry, entry_of(approve));
  }
}

// Stored data a strategy cannot read.

TEST_F(StrategyTest, LoadCorruptBlobFails) {
  const std::vector<std::string> corrupt_blobs = {
      "{not json",
      "[1, 2]",
      R"({"approved": []})",
      R"({"approved": {"zz-9": {"by": "u1", "seq": 1, "at": 0}}})",
      R"({"approved": {"a-1": {"seq": 1, "at": 0}}})",
      R"({"approved": {"a-1": {"by": "u9", "seq": 1, "at": 0}}})",
      R"({"approved": {"a-1": {"by": "u1", "seq": -1, "at": 0}}})",
      R"({"manual": {"a-1": {"by": "u1", "seq": 1, "at": 0, "node": 7}}})",
  };

  for (const std::string_view name : {"full-overwrite", "read-merge-write"}) {
    const auto tested = strategy(name);
    for (const std::string& corrupt : corrupt_blobs) {
      SCOPED_TRACE(std::string(name) + ": " + corrupt);
      kv_.execute(Command{Op::set, "match-review:acme", {}, corrupt});

      const LoadOutcome loaded = load(*tested, acme_);

      EXPECT_FALSE(loaded.ok);
      EXPECT_FALSE(loaded.error.empty());
      EXPECT_TRUE(loaded.state.empty());
    }
  }
}

TEST_F(StrategyTest, CorruptBlobErrorsNameProblem) {
  const auto tested = strategy("full-overwrite");

  kv_.execute(Command{Op::set, "match-review:acme", {}, "{not json"});
  EXPECT_EQ(load(*tested, acme_).error, "stored value is not valid JSON");

  kv_.execute(Command{Op::set,
                      "match-review:acme",
                      {},
                      R"({"approved": {"zz-9": {"by": "u1", "seq": 1, "at": 0}}})"});
  EXPECT_NE(load(*tested, acme_).error.find("zz-9"), std::string::npos);
}

TEST_F(StrategyTest, ReadMergeWriteKeepsCorruptBlob) {
  const auto tested = strategy("read-merge-write");
  kv_.execute(Command{Op::set, "match-review:acme", {}, "{not json"});
  const Decision approve = decide(1, 1, a1_, DecisionKind::approve);

  SaveOutcome outcome;
  const std::vector<ProgramStep> steps =
      step(tested->save(request(acme_, applied({}, {approve}), {approve})), &outcome);

  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error, "stored value is not valid JSON");
  // The save stops after its GET and leaves the stored value for a person to inspect.
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].command.op, Op::get);
  EXPECT_EQ(std::get<std::string>(*store_.find("match-review:acme")), "{not json");
}

TEST_F(StrategyTest, BlobOnHashIsWrongType) {
  kv_.execute(Command{Op::hset, "match-review:acme", "a-1", "x"});
  const Decision approve = decide(1, 1, a1_, DecisionKind::approve);

  for (const std::string_view name : {"full-overwrite", "read-merge-write"}) {
    SCOPED_TRACE(std::string(name));
    const auto tested = strategy(name);
    const LoadOutcome loaded = load(*tested, acme_);
    EXPECT_FALSE(loaded.ok);
    EXPECT_EQ(loaded.error, kWrongType);
  }

  // read-merge-write reads first and fails on the GET. full-overwrite's SET replaces the hash,
  // as Redis's SET replaces a value of any type.
  const SaveOutcome merged =
      save(*strategy("read-merge-write"), request(acme_, applied({}, {approve}), {approve}));
  EXPECT_FALSE(merged.ok);
  EXPECT_EQ(merged.error, kWrongType);
  const SaveOutcome overwritten =
      save(*strategy("full-overwrite"), request(acme_, applied({}, {approve}), {approve}));
  EXPECT_TRUE(overwritten.ok) << overwritten.error;
}

TEST_F(StrategyTest, HashLoadOnStringIsWrongType) {
  for (const std::string_view name : {"hset", "hset-multi"}) {
    for (const Status status : kStatuses) {
      SCOPED_TRACE(std::string(name) + ": " + std::string(status_name(status)));
      store_.clear();
      kv_.execute(Command{Op::hset, "match-review:acme:approved", "a-2",
                          encode_entry(Entry{DecisionId{1, 1}, 0, ""})});
      kv_.execute(Command{Op::set, hash_key(catalog_, acme_, status), {}, "a string"});

      const LoadOutcome loaded = load(*strategy(name), acme_);

      EXPECT_FALSE(loaded.ok);
      EXPECT_EQ(loaded.error, kWrongType);
      EXPECT_TRUE(loaded.state.empty());
    }
  }
}

TEST_F(StrategyTest, HashSaveOnStringIsWrongType) {
  const Decision approve = decide(1, 1, a1_, DecisionKind::approve);

  for (const std::string_view name : {"hset", "hset-multi"}) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    kv_.execute(Command{Op::set, "match-review:acme:approved", {}, "a string"});

    const SaveOutcome saved =
        save(*strategy(name), request(acme_, applied({}, {approve}), {approve}));

    EXPECT_FALSE(saved.ok);
    EXPECT_EQ(saved.error, kWrongType);
    EXPECT_FALSE(kv_.in_transaction());
    EXPECT_EQ(std::get<std::string>(*store_.find("match-review:acme:approved")), "a string");
  }
}

TEST_F(StrategyTest, HashLoadUnknownFieldFails) {
  for (const std::string_view name : {"hset", "hset-multi"}) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    kv_.execute(Command{Op::hset, "match-review:acme:rejected", "zz-9",
                        encode_entry(Entry{DecisionId{1, 1}, 0, ""})});

    const LoadOutcome loaded = load(*strategy(name), acme_);

    EXPECT_FALSE(loaded.ok);
    EXPECT_NE(loaded.error.find("zz-9"), std::string::npos) << loaded.error;
  }
}

TEST_F(StrategyTest, HashLoadCorruptEntryFails) {
  for (const std::string_view name : {"hset", "hset-multi"}) {
    SCOPED_TRACE(std::string(name));
    store_.clear();
    kv_.execute(Command{Op::hset, "match-review:acme:manual", "a-1", "{not json"});

    const LoadOutcome loaded = load(*strategy(name), acme_);

    EXPECT_FALSE(loaded.ok);
    EXPECT_EQ(loaded.error, "stored value is not valid JSON");
    EXPECT_FALSE(kv_.in_transaction());
  }
}

// The stored JSON.

TEST_F(StrategyTest, JsonEntryRoundTrips) {
  const std::vector<Entry> entries = {
      Entry{DecisionId{1, 3}, 1530, ""},
      Entry{DecisionId{5, 4000000000u}, 0, "node \"7\""},
      Entry{DecisionId{kImportUser, 1}, -20, ""},
  };
  for (const Entry& entry : entries) {
    const std::string json = encode_entry(entry);
    EXPECT_EQ(decode_entry(json), entry) << json;
  }
  EXPECT_EQ(decode_entry(R"({"by": "u2", "seq": 7, "at": 99})"), (Entry{DecisionId{2, 7}, 99, ""}));
}

TEST_F(StrategyTest, JsonEntryWithoutNodeOmitsIt) {
  EXPECT_EQ(encode_entry(Entry{DecisionId{1, 3}, 1530, ""}).find("node"), std::string::npos);
  EXPECT_NE(encode_entry(Entry{DecisionId{1, 3}, 1530, "n-1"}).find("\"node\":\"n-1\""),
            std::string::npos);
}

TEST_F(StrategyTest, JsonInvalidEntryThrows) {
  const std::vector<std::string> invalid = {
      "",
      "{",
      "7",
      R"("u1")",
      R"({"seq": 1, "at": 0})",
      R"({"by": 1, "seq": 1, "at": 0})",
      R"({"by": "u6", "seq": 1, "at": 0})",
      R"({"by": "u1", "at": 0})",
      R"({"by": "u1", "seq": 1.5, "at": 0})",
      R"({"by": "u1", "seq": 1})",
      R"({"by": "u1", "seq": 1, "at": "now"})",
      R"({"by": "u1", "seq": 1, "at": 0, "node": null})",
  };
  for (const std::string& json : invalid) {
    EXPECT_THROW(decode_entry(json), DecodeError) << json;
  }
}

// nlohmann would wrap these numbers silently (seq 4294967296 reads as 0).
TEST_F(StrategyTest, JsonOutOfRangeNumberThrows) {
  EXPECT_THROW(decode_entry(R"({"by": "u1", "seq": 4294967296, "at": 0})"), DecodeError);
  EXPECT_THROW(decode_entry(R"({"by": "u1", "seq": 1, "at": 18446744073709551615})"), DecodeError);
}

TEST_F(StrategyTest, JsonBlobRoundTrips) {
  CompanyState state;
  state.put(a1_, Status::approved, Entry{DecisionId{1, 1}, 100, ""});
  state.put(a2_, Status::manual, Entry{DecisionId{2, 1}, 200, "n-2"});
  state.put(b1_, Status::rejected, Entry{DecisionId{kImportUser, 4}, 0, ""});

  const std::string json = encode_blob(state, catalog_);

  EXPECT_STATE(decode_blob(json, catalog_), state);
  EXPECT_NE(json.find("\"approved\""), std::string::npos);
  EXPECT_NE(json.find("\"rejected\""), std::string::npos);
  EXPECT_NE(json.find("\"manual\""), std::string::npos);
  EXPECT_STATE(decode_blob(encode_blob({}, catalog_), catalog_), CompanyState{});
  // A missing status map reads as empty.
  EXPECT_STATE(decode_blob("{}", catalog_), CompanyState{});
}

TEST_F(StrategyTest, JsonBlobKeepsDoubleStatus) {
  // A blob may contain an item under two statuses. Decoding keeps both so that checkers see it.
  const std::string json = R"({"approved": {"a-1": {"by": "u1", "seq": 1, "at": 0}},
                               "rejected": {"a-1": {"by": "u2", "seq": 1, "at": 5}}})";

  const CompanyState state = decode_blob(json, catalog_);

  EXPECT_EQ(state.statuses_of(a1_), (std::vector<Status>{Status::approved, Status::rejected}));
}

}  // namespace
}  // namespace reviewsim
