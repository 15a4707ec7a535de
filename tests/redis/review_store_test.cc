// ReviewStore on both backends, MemoryKv and a real redis-server: decisions, loads, the poll
// cursor, entity maps, document updates under concurrent writers, argument checks and keys of
// the wrong type. Each test runs once per backend, so the two must behave the same.

#include "adapters/review_store.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/memory_kv.h"
#include "tests/redis/counting_kv.h"
#include "tests/redis/redis_test_support.h"

namespace reviewsim::testing {
namespace {

enum class Backend { memory, redis };

Command command(Op op, std::string key = {}, std::string field = {}, std::string value = {}) {
  return Command{op, std::move(key), std::move(field), std::move(value)};
}

Author author(UserId user, std::uint32_t seq, TimeMs at_ms = 1000) {
  return Author{user, seq, at_ms};
}

Entry entry(UserId user, std::uint32_t seq, TimeMs at_ms = 1000, std::string node = {}) {
  return Entry{DecisionId{user, seq}, at_ms, std::move(node)};
}

class ReviewStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    kv_ = connect();
    if (GetParam() == Backend::redis) {
      ASSERT_EQ(kv_->execute(command(Op::flushdb)), Reply::ok());
    }
    store_ = std::make_unique<ReviewStore>(*kv_);
  }

  // Another connection to the same data, for a second client.
  std::unique_ptr<Kv> connect() {
    if (GetParam() == Backend::redis) return connect_shared();
    return std::make_unique<MemoryKv>(memory_);
  }

  // Runs `body` and returns the StoreError it throws; fails the test when it throws none.
  template <typename Body>
  StoreError expect_store_error(Body body) {
    try {
      body();
    } catch (const StoreError& error) {
      return error;
    }
    ADD_FAILURE() << "expected a StoreError";
    return StoreError(StoreErrorKind::invalid_argument, "none thrown");
  }

  MemoryStore memory_;
  std::unique_ptr<Kv> kv_;
  std::unique_ptr<ReviewStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ReviewStoreTest,
                         ::testing::Values(Backend::memory, Backend::redis),
                         [](const auto& info) {
                           return info.param == Backend::memory ? "memory" : "redis";
                         });

// Decisions and loads.

TEST_P(ReviewStoreTest, ApproveThenLoadShowsEntry) {
  store_->approve("acme", "a1", author(1, 1, 1500));
  const ReviewState state = store_->load("acme");
  ASSERT_EQ(state.map(Status::approved).size(), 1u);
  EXPECT_EQ(state.map(Status::approved).at("a1"), entry(1, 1, 1500));
  EXPECT_EQ(state.entries_count(), 1u);
  // The stored value is the entry JSON that the strategies write.
  EXPECT_REPLY(kv_->execute(command(Op::hget, "match-review:acme:approved", "a1")),
               Reply::bulk(R"({"at":1500,"by":"u1","seq":1})"));
}

TEST_P(ReviewStoreTest, RejectMovesItemOutOfApproved) {
  store_->approve("acme", "a1", author(1, 1));
  store_->reject("acme", "a1", author(2, 1));
  const ReviewState state = store_->load("acme");
  EXPECT_EQ(state.statuses_of("a1"), std::vector<Status>({Status::rejected}));
  EXPECT_EQ(state.map(Status::rejected).at("a1"), entry(2, 1));
  // An emptied hash ceases to exist.
  EXPECT_REPLY(kv_->execute(command(Op::exists, "match-review:acme:approved")), Reply::number(0));
}

TEST_P(ReviewStoreTest, ManualMatchStoresNode) {
  store_->manual_match("acme", "a1", "node-7", author(3, 4));
  const ReviewState state = store_->load("acme");
  EXPECT_EQ(state.map(Status::manual).at("a1"), entry(3, 4, 1000, "node-7"));
}

TEST_P(ReviewStoreTest, ClearRemovesItemFromEveryStatus) {
  store_->approve("acme", "a1", author(1, 1));
  store_->approve("acme", "a2", author(1, 2));
  store_->clear("acme", "a1", author(1, 3));
  const ReviewState state = store_->load("acme");
  EXPECT_TRUE(state.statuses_of("a1").empty());
  EXPECT_EQ(state.statuses_of("a2"), std::vector<Status>({Status::approved}));
}

TEST_P(ReviewStoreTest, SaveAppliesDecisionsInOrder) {
  const std::vector<ReviewDecision> decisions = {
      {DecisionKind::approve, "a1", {}, author(1, 1)},
      {DecisionKind::reject, "a2", {}, author(1, 2)},
      {DecisionKind::manual_match, "a1", "n1", author(1, 3)},
  };
  store_->save("acme", decisions);
  const ReviewState state = store_->load("acme");
  EXPECT_EQ(state.statuses_of("a1"), std::vector<Status>({Status::manual}));
  EXPECT_EQ(state.statuses_of("a2"), std::vector<Status>({Status::rejected}));
}

TEST_P(ReviewStoreTest, CompaniesAreIndependent) {
  store_->approve("acme", "shared-item-name", author(1, 1));
  store_->reject("globex", "shared-item-name", author(1, 2));
  EXPECT_EQ(store_->load("acme").statuses_of("shared-item-name"),
            std::vector<Status>({Status::approved}));
  EXPECT_EQ(store_->load("globex").statuses_of("shared-item-name"),
            std::vector<Status>({Status::rejected}));
  EXPECT_EQ(store_->load("initech").entries_count(), 0u);
}

TEST_P(ReviewStoreTest, EachDecisionAndLoadIsOneRoundTrip) {
  CountingKv counting(*kv_);
  ReviewStore store(counting);
  store.approve("acme", "a1", author(1, 1));
  EXPECT_EQ(counting.batch_sizes(), std::vector<std::size_t>({5}));  // MULTI HSET HDEL HDEL EXEC
  counting.reset();
  store.load("acme");
  EXPECT_EQ(counting.batch_sizes(), std::vector<std::size_t>({5}));  // MULTI 3xHGETALL EXEC
  EXPECT_EQ(counting.execute_calls(), 0u);
}

// Polls.

TEST_P(ReviewStoreTest, PollReportsOnlyOtherUsersChanges) {
  auto other_kv = connect();
  ReviewStore other(*other_kv);

  const PollResult first = store_->poll("acme", 1, std::nullopt);
  EXPECT_TRUE(first.changed_by_others.empty());

  other.approve("acme", "a1", author(2, 1));
  store_->approve("acme", "a2", author(1, 1));
  const PollResult second = store_->poll("acme", 1, first.cursor);
  ASSERT_EQ(second.changed_by_others.size(), 1u);
  EXPECT_EQ(second.changed_by_others[0], (EntryChange{"a1", Status::approved, entry(2, 1)}));

  const PollResult third = store_->poll("acme", 1, second.cursor);
  EXPECT_TRUE(third.changed_by_others.empty());

  // A new decision by the other user on the same item is a change again.
  other.reject("acme", "a1", author(2, 2));
  const PollResult fourth = store_->poll("acme", 1, third.cursor);
  ASSERT_EQ(fourth.changed_by_others.size(), 1u);
  EXPECT_EQ(fourth.changed_by_others[0], (EntryChange{"a1", Status::rejected, entry(2, 2)}));
}

TEST_P(ReviewStoreTest, PollIgnoresImportedEntries) {
  const PollResult first = store_->poll("acme", 1, std::nullopt);
  kv_->execute(command(Op::hset, "match-review:acme:approved", "old",
                       R"({"by":"import","seq":0,"at":0})"));
  const PollResult second = store_->poll("acme", 1, first.cursor);
  EXPECT_TRUE(second.changed_by_others.empty());
  EXPECT_EQ(second.state.statuses_of("old"), std::vector<Status>({Status::approved}));
}

TEST_P(ReviewStoreTest, PollCursorRoundTripsThroughText) {
  store_->approve("acme", "a1", author(1, 1));
  store_->manual_match("acme", "a \"quoted\" item", "n", author(2, 9));
  const PollCursor cursor = store_->poll("acme", 1, std::nullopt).cursor;
  const std::string text = cursor.encode();
  EXPECT_EQ(PollCursor::decode(text), cursor);
  // The decoded cursor works like the original.
  EXPECT_TRUE(store_->poll("acme", 1, PollCursor::decode(text)).changed_by_others.empty());
}

TEST_P(ReviewStoreTest, PollCursorDecodeRejectsGarbage) {
  for (const std::string text :
       {"", "[]", "{}", R"({"format":"other/1","entries":[]})",
        R"({"format":"review-poll-cursor/1","entries":[["a","approved",1]]})",
        R"({"format":"review-poll-cursor/1","entries":[["a","pending",1,1]]})",
        R"({"format":"review-poll-cursor/1","entries":[["a","approved",9,1]]})"}) {
    const StoreError error = expect_store_error([&] { PollCursor::decode(text); });
    EXPECT_EQ(error.kind(), StoreErrorKind::invalid_argument) << text;
  }
}

// Arguments and stored data.

TEST_P(ReviewStoreTest, InvalidArgumentsThrowAndWriteNothing) {
  const std::vector<std::function<void()>> calls = {
      [&] { store_->approve("", "a1", author(1, 1)); },
      [&] { store_->approve("acme", "", author(1, 1)); },
      [&] { store_->approve("acme", "a1", author(0, 1)); },
      [&] { store_->approve("acme", "a1", author(6, 1)); },
      [&] { store_->manual_match("acme", "a1", "", author(1, 1)); },
      [&] {
        const std::vector<ReviewDecision> decisions = {
            {DecisionKind::approve, "a1", {}, author(1, 1)},
            {DecisionKind::reject, "a2", "node-on-a-reject", author(1, 2)}};
        store_->save("acme", decisions);
      },
      [&] { store_->put_entity(EntityMap::sizes, "acme", "e1", "{not json"); },
      [&] { store_->put_entity(EntityMap::sizes, "acme", "", "{}"); },
  };
  for (std::size_t index = 0; index < calls.size(); ++index) {
    const StoreError error = expect_store_error(calls[index]);
    EXPECT_EQ(error.kind(), StoreErrorKind::invalid_argument) << "call " << index;
    EXPECT_FALSE(error.retryable());
  }
  EXPECT_EQ(dump_keyspace(*kv_).size(), 0u);
}

TEST_P(ReviewStoreTest, KeyOfWrongTypeThrowsStoreFailed) {
  ASSERT_EQ(kv_->execute(command(Op::set, "match-review:acme:approved", {}, "a string")), Reply::ok());
  const StoreError save_error = expect_store_error([&] { store_->approve("acme", "a1", author(1, 1)); });
  EXPECT_EQ(save_error.kind(), StoreErrorKind::store_failed);
  EXPECT_NE(std::string(save_error.what()).find("WRONGTYPE"), std::string::npos) << save_error.what();
  EXPECT_NE(std::string(save_error.what()).find("match-review:acme:approved"), std::string::npos)
      << save_error.what();

  const StoreError load_error = expect_store_error([&] { store_->load("acme"); });
  EXPECT_EQ(load_error.kind(), StoreErrorKind::store_failed);
  EXPECT_NE(std::string(load_error.what()).find("WRONGTYPE"), std::string::npos) << load_error.what();

  ASSERT_EQ(kv_->execute(command(Op::hset, entity_map_key(EntityMap::merges, "acme"), "f", "1")),
            Reply::number(1));
  const StoreError document_error = expect_store_error([&] {
    kv_->execute(command(Op::hset, document_key(Document::autosave, "acme"), "f", "1"));
    store_->update_document(Document::autosave, "acme", [](const auto&) { return "{}"; });
  });
  EXPECT_EQ(document_error.kind(), StoreErrorKind::store_failed);
  EXPECT_NE(std::string(document_error.what()).find("review-document:autosave:acme"), std::string::npos)
      << document_error.what();
}

TEST_P(ReviewStoreTest, UndecodableValueThrowsStoreFailed) {
  kv_->execute(command(Op::hset, "match-review:acme:rejected", "a1", "not json"));
  const StoreError error = expect_store_error([&] { store_->load("acme"); });
  EXPECT_EQ(error.kind(), StoreErrorKind::store_failed);
  EXPECT_NE(std::string(error.what()).find("acme"), std::string::npos) << error.what();
}

// Entity maps.

TEST_P(ReviewStoreTest, EntityMapsStoreJsonPerEntity) {
  store_->put_entity(EntityMap::corrections, "acme", "e1", R"({"text":"fix","by":"u1","at":5})");
  store_->put_entity(EntityMap::corrections, "acme", "e2", "[1,2]");
  store_->put_entity(EntityMap::field_edits, "acme", "e1", "true");

  EXPECT_EQ(store_->get_entity(EntityMap::corrections, "acme", "e1"),
            std::optional<std::string>(R"({"text":"fix","by":"u1","at":5})"));
  EXPECT_EQ(store_->get_entity(EntityMap::corrections, "acme", "missing"), std::nullopt);
  EXPECT_EQ(store_->get_entity(EntityMap::corrections, "globex", "e1"), std::nullopt);
  EXPECT_EQ(store_->load_entities(EntityMap::corrections, "acme"),
            (std::map<std::string, std::string>{{"e1", R"({"text":"fix","by":"u1","at":5})"},
                                                {"e2", "[1,2]"}}));
  EXPECT_TRUE(store_->delete_entity(EntityMap::corrections, "acme", "e1"));
  EXPECT_FALSE(store_->delete_entity(EntityMap::corrections, "acme", "e1"));
  EXPECT_EQ(store_->load_entities(EntityMap::corrections, "acme").size(), 1u);
  EXPECT_EQ(store_->load_entities(EntityMap::field_edits, "acme").size(), 1u);
  EXPECT_REPLY(kv_->execute(command(Op::type, "review-entity:field-edits:acme")), Reply::status("hash"));
}

TEST_P(ReviewStoreTest, EntityWritesOfTwoClientsCoexist) {
  auto other_kv = connect();
  ReviewStore other(*other_kv);
  store_->put_entity(EntityMap::resolutions, "acme", "mine", "1");
  other.put_entity(EntityMap::resolutions, "acme", "theirs", "2");
  EXPECT_EQ(store_->load_entities(EntityMap::resolutions, "acme").size(), 2u);
}

// Documents.

TEST_P(ReviewStoreTest, DocumentUpdateMergesWithCurrentValue) {
  EXPECT_EQ(store_->read_document(Document::graduated_map, "acme"), std::nullopt);
  const auto add = [](std::string key) {
    return [key](const std::optional<std::string>& current) {
      std::string merged = current ? current->substr(0, current->size() - 1) : "{";
      if (merged.size() > 1) merged += ",";
      return merged + "\"" + key + "\":1}";
    };
  };
  EXPECT_EQ(store_->update_document(Document::graduated_map, "acme", add("a")), R"({"a":1})");
  EXPECT_EQ(store_->update_document(Document::graduated_map, "acme", add("b")), R"({"a":1,"b":1})");
  EXPECT_EQ(store_->read_document(Document::graduated_map, "acme"),
            std::optional<std::string>(R"({"a":1,"b":1})"));
}

TEST_P(ReviewStoreTest, DocumentUpdateRetriesAfterConcurrentWrite) {
  auto other_kv = connect();
  int calls = 0;
  const std::string written = store_->update_document(
      Document::autosave, "acme", [&](const std::optional<std::string>& current) -> std::string {
        ++calls;
        // The first time, another client writes between our GET and our EXEC.
        if (calls == 1) {
          other_kv->execute(command(Op::set, document_key(Document::autosave, "acme"), {}, "[\"theirs\"]"));
          return "[\"mine only\"]";
        }
        EXPECT_EQ(current, std::optional<std::string>("[\"theirs\"]"));
        return "[\"theirs\",\"mine\"]";
      });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(written, "[\"theirs\",\"mine\"]");
  EXPECT_EQ(store_->read_document(Document::autosave, "acme"), std::optional<std::string>(written));
}

TEST_P(ReviewStoreTest, DocumentUpdateReportsConflictWhenRetriesRunOut) {
  auto other_kv = connect();
  ReviewStore store(*kv_, ReviewStore::Options{3});
  int calls = 0;
  const StoreError error = expect_store_error([&] {
    store.update_document(Document::autosave, "acme", [&](const std::optional<std::string>&) {
      ++calls;
      other_kv->execute(command(Op::set, document_key(Document::autosave, "acme"), {},
                                std::to_string(calls)));
      return std::string("\"mine\"");
    });
  });
  EXPECT_EQ(error.kind(), StoreErrorKind::conflict);
  EXPECT_TRUE(error.retryable());
  EXPECT_EQ(calls, 3);
  // Nothing of ours was written: the document contains the other client's last value.
  EXPECT_EQ(store.read_document(Document::autosave, "acme"), std::optional<std::string>("3"));
}

TEST_P(ReviewStoreTest, DocumentMergeExceptionLeavesNoWatchBehind) {
  EXPECT_THROW(store_->update_document(Document::autosave, "acme",
                                       [](const auto&) -> std::string {
                                         throw std::runtime_error("merge failed");
                                       }),
               std::runtime_error);
  EXPECT_THROW(store_->update_document(Document::autosave, "acme",
                                       [](const auto&) { return std::string("{broken"); }),
               StoreError);
  // Had the WATCH stayed, this change would abort the next transaction on the connection.
  auto other_kv = connect();
  other_kv->execute(command(Op::set, document_key(Document::autosave, "acme"), {}, "{}"));
  store_->approve("acme", "a1", author(1, 1));
  EXPECT_EQ(store_->load("acme").statuses_of("a1"), std::vector<Status>({Status::approved}));
}

}  // namespace
}  // namespace reviewsim::testing
