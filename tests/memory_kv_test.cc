// MemoryKv against the replies Redis 7 gives: every command in its normal and error cases, and
// MULTI/EXEC/DISCARD/WATCH/UNWATCH on two connections to one store.

#include "adapters/memory_kv.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace reviewsim {
namespace {

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

Command get(std::string key) { return Command{Op::get, std::move(key), {}, {}}; }
Command set(std::string key, std::string value) {
  return Command{Op::set, std::move(key), {}, std::move(value)};
}
Command del(std::string key) { return Command{Op::del, std::move(key), {}, {}}; }
Command exists(std::string key) { return Command{Op::exists, std::move(key), {}, {}}; }
Command type(std::string key) { return Command{Op::type, std::move(key), {}, {}}; }
Command rename(std::string key, std::string new_key) {
  return Command{Op::rename, std::move(key), {}, std::move(new_key)};
}
Command hset(std::string key, std::string field, std::string value) {
  return Command{Op::hset, std::move(key), std::move(field), std::move(value)};
}
Command hdel(std::string key, std::string field) {
  return Command{Op::hdel, std::move(key), std::move(field), {}};
}
Command hgetall(std::string key) { return Command{Op::hgetall, std::move(key), {}, {}}; }
Command multi() { return Command{Op::multi, {}, {}, {}}; }
Command exec() { return Command{Op::exec, {}, {}, {}}; }
Command discard() { return Command{Op::discard, {}, {}, {}}; }
Command watch(std::string key) { return Command{Op::watch, std::move(key), {}, {}}; }
Command unwatch() { return Command{Op::unwatch, {}, {}, {}}; }

// The HGETALL reply for `pairs`, field then value, in the given order.
Reply field_values(std::vector<std::pair<std::string, std::string>> pairs) {
  std::vector<Reply> elements;
  for (auto& [field, value] : pairs) {
    elements.push_back(Reply::bulk(std::move(field)));
    elements.push_back(Reply::bulk(std::move(value)));
  }
  return Reply::array(std::move(elements));
}

Reply queued() { return Reply::status("QUEUED"); }

// Compares two replies and, on a mismatch, prints both as redis-cli would show them.
::testing::AssertionResult replies_equal(const char* actual_text, const char* expected_text,
                                         const Reply& actual, const Reply& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << actual_text << " returned " << format_reply(actual, 1000) << "\n"
         << expected_text << " is " << format_reply(expected, 1000);
}

#define EXPECT_REPLY(actual, expected) EXPECT_PRED_FORMAT2(replies_equal, actual, expected)

// Two connections, `kv_` and `other_`, to one store.
class MemoryKvTest : public ::testing::Test {
 protected:
  MemoryStore store_;
  MemoryKv kv_{store_};
  MemoryKv other_{store_};
};

// Strings and key commands.

TEST_F(MemoryKvTest, GetMissingKeyIsNil) { EXPECT_REPLY(kv_.execute(get("k")), Reply::nil()); }

TEST_F(MemoryKvTest, SetThenGetReturnsValue) {
  EXPECT_REPLY(kv_.execute(set("k", "v1")), Reply::ok());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("v1"));

  EXPECT_REPLY(kv_.execute(set("k", "v2")), Reply::ok());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("v2"));
}

TEST_F(MemoryKvTest, SetEmptyValueIsKept) {
  EXPECT_REPLY(kv_.execute(set("k", "")), Reply::ok());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk(""));
  EXPECT_REPLY(kv_.execute(exists("k")), Reply::number(1));
}

TEST_F(MemoryKvTest, GetHashIsWrongType) {
  kv_.execute(hset("h", "f", "1"));
  EXPECT_REPLY(kv_.execute(get("h")), Reply::error(kWrongType));
}

TEST_F(MemoryKvTest, SetOverHashReplacesIt) {
  kv_.execute(hset("k", "f", "1"));

  // SET ignores the type of the old value, as in Redis.
  EXPECT_REPLY(kv_.execute(set("k", "v")), Reply::ok());
  EXPECT_REPLY(kv_.execute(type("k")), Reply::status("string"));
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("v"));
  EXPECT_REPLY(kv_.execute(hgetall("k")), Reply::error(kWrongType));
}

TEST_F(MemoryKvTest, DelReturnsRemovedCount) {
  kv_.execute(set("s", "v"));
  kv_.execute(hset("h", "f", "1"));

  EXPECT_REPLY(kv_.execute(del("s")), Reply::number(1));
  EXPECT_REPLY(kv_.execute(del("s")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(del("h")), Reply::number(1));
  EXPECT_REPLY(kv_.execute(del("missing")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(get("s")), Reply::nil());
  EXPECT_REPLY(kv_.execute(hgetall("h")), Reply::array({}));
  EXPECT_EQ(store_.keys_count(), 0u);
}

TEST_F(MemoryKvTest, ExistsCountsEitherType) {
  EXPECT_REPLY(kv_.execute(exists("s")), Reply::number(0));

  kv_.execute(set("s", "v"));
  kv_.execute(hset("h", "f", "1"));

  EXPECT_REPLY(kv_.execute(exists("s")), Reply::number(1));
  EXPECT_REPLY(kv_.execute(exists("h")), Reply::number(1));
}

TEST_F(MemoryKvTest, TypeNamesEachKind) {
  kv_.execute(set("s", "v"));
  kv_.execute(hset("h", "f", "1"));

  EXPECT_REPLY(kv_.execute(type("missing")), Reply::status("none"));
  EXPECT_REPLY(kv_.execute(type("s")), Reply::status("string"));
  EXPECT_REPLY(kv_.execute(type("h")), Reply::status("hash"));
}

TEST_F(MemoryKvTest, RenameMovesString) {
  kv_.execute(set("old", "v"));

  EXPECT_REPLY(kv_.execute(rename("old", "new")), Reply::ok());
  EXPECT_REPLY(kv_.execute(exists("old")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(get("new")), Reply::bulk("v"));
  EXPECT_EQ(store_.keys(), std::vector<std::string>{"new"});
}

TEST_F(MemoryKvTest, RenameMovesHashWithOrder) {
  kv_.execute(hset("old", "b", "1"));
  kv_.execute(hset("old", "a", "2"));

  EXPECT_REPLY(kv_.execute(rename("old", "new")), Reply::ok());
  EXPECT_REPLY(kv_.execute(hgetall("new")), field_values({{"b", "1"}, {"a", "2"}}));
  EXPECT_REPLY(kv_.execute(hgetall("old")), Reply::array({}));
}

TEST_F(MemoryKvTest, RenameOverwritesOtherType) {
  kv_.execute(set("src", "v"));
  kv_.execute(hset("dst", "f", "1"));

  EXPECT_REPLY(kv_.execute(rename("src", "dst")), Reply::ok());
  EXPECT_REPLY(kv_.execute(type("dst")), Reply::status("string"));
  EXPECT_REPLY(kv_.execute(get("dst")), Reply::bulk("v"));
  EXPECT_EQ(store_.keys(), std::vector<std::string>{"dst"});
}

TEST_F(MemoryKvTest, RenameMissingKeyIsError) {
  kv_.execute(set("dst", "v"));

  EXPECT_REPLY(kv_.execute(rename("missing", "dst")), Reply::error("ERR no such key"));
  EXPECT_REPLY(kv_.execute(rename("missing", "missing")), Reply::error("ERR no such key"));
  EXPECT_REPLY(kv_.execute(get("dst")), Reply::bulk("v"));
}

TEST_F(MemoryKvTest, RenameOntoItselfKeepsValue) {
  kv_.execute(set("k", "v"));

  EXPECT_REPLY(kv_.execute(rename("k", "k")), Reply::ok());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("v"));
}

// Hashes.

TEST_F(MemoryKvTest, HsetNewFieldReturnsOne) {
  EXPECT_REPLY(kv_.execute(hset("h", "f", "1")), Reply::number(1));
  EXPECT_REPLY(kv_.execute(hset("h", "g", "2")), Reply::number(1));
  EXPECT_REPLY(kv_.execute(type("h")), Reply::status("hash"));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"f", "1"}, {"g", "2"}}));
}

TEST_F(MemoryKvTest, HsetExistingFieldReturnsZero) {
  kv_.execute(hset("h", "f", "1"));

  EXPECT_REPLY(kv_.execute(hset("h", "f", "2")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(hset("h", "f", "2")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"f", "2"}}));
}

TEST_F(MemoryKvTest, HsetOnStringIsWrongType) {
  kv_.execute(set("s", "v"));

  EXPECT_REPLY(kv_.execute(hset("s", "f", "1")), Reply::error(kWrongType));
  EXPECT_REPLY(kv_.execute(get("s")), Reply::bulk("v"));
}

TEST_F(MemoryKvTest, HdelMissingKeyReturnsZero) {
  EXPECT_REPLY(kv_.execute(hdel("h", "f")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(exists("h")), Reply::number(0));
}

TEST_F(MemoryKvTest, HdelMissingFieldReturnsZero) {
  kv_.execute(hset("h", "f", "1"));

  EXPECT_REPLY(kv_.execute(hdel("h", "g")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"f", "1"}}));
}

TEST_F(MemoryKvTest, HdelExistingFieldReturnsOne) {
  kv_.execute(hset("h", "f", "1"));
  kv_.execute(hset("h", "g", "2"));

  EXPECT_REPLY(kv_.execute(hdel("h", "f")), Reply::number(1));
  EXPECT_REPLY(kv_.execute(hdel("h", "f")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"g", "2"}}));
}

TEST_F(MemoryKvTest, HdelLastFieldDeletesHash) {
  kv_.execute(hset("h", "f", "1"));

  EXPECT_REPLY(kv_.execute(hdel("h", "f")), Reply::number(1));
  EXPECT_REPLY(kv_.execute(exists("h")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(type("h")), Reply::status("none"));
  EXPECT_REPLY(kv_.execute(get("h")), Reply::nil());
  EXPECT_REPLY(kv_.execute(hgetall("h")), Reply::array({}));
  EXPECT_EQ(store_.find("h"), nullptr);
  EXPECT_EQ(store_.keys_count(), 0u);

  // The key is free for a string now.
  EXPECT_REPLY(kv_.execute(set("h", "v")), Reply::ok());
  EXPECT_REPLY(kv_.execute(get("h")), Reply::bulk("v"));
}

TEST_F(MemoryKvTest, HdelOnStringIsWrongType) {
  kv_.execute(set("s", "v"));

  EXPECT_REPLY(kv_.execute(hdel("s", "f")), Reply::error(kWrongType));
  EXPECT_REPLY(kv_.execute(get("s")), Reply::bulk("v"));
}

TEST_F(MemoryKvTest, HgetallMissingKeyIsEmptyArray) {
  EXPECT_REPLY(kv_.execute(hgetall("h")), Reply::array({}));
}

TEST_F(MemoryKvTest, HgetallOnStringIsWrongType) {
  kv_.execute(set("s", "v"));
  EXPECT_REPLY(kv_.execute(hgetall("s")), Reply::error(kWrongType));
}

TEST_F(MemoryKvTest, HgetallKeepsInsertionOrder) {
  kv_.execute(hset("h", "c", "1"));
  kv_.execute(hset("h", "a", "2"));
  kv_.execute(hset("h", "b", "3"));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"c", "1"}, {"a", "2"}, {"b", "3"}}));

  // An update keeps the field's place.
  kv_.execute(hset("h", "c", "4"));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"c", "4"}, {"a", "2"}, {"b", "3"}}));

  // A deleted field that comes back goes to the end.
  kv_.execute(hdel("h", "a"));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"c", "4"}, {"b", "3"}}));
  kv_.execute(hset("h", "a", "5"));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"c", "4"}, {"b", "3"}, {"a", "5"}}));
}

TEST_F(MemoryKvTest, WrongTypeTextMatchesRedis) {
  kv_.execute(set("s", "v"));
  kv_.execute(hset("h", "f", "1"));

  // The text Redis 7.0 sends, after the error prefix "-".
  const std::string expected = "WRONGTYPE Operation against a key holding the wrong kind of value";
  for (const Command& command : {get("h"), hset("s", "f", "1"), hdel("s", "f"), hgetall("s")}) {
    const Reply reply = kv_.execute(command);
    EXPECT_EQ(reply.type, Reply::Type::error) << format_command(command);
    EXPECT_EQ(reply.text, expected) << format_command(command);
  }
}

TEST_F(MemoryKvTest, ConnectionsShareOneStore) {
  kv_.execute(set("k", "v"));
  EXPECT_REPLY(other_.execute(get("k")), Reply::bulk("v"));

  other_.execute(hset("h", "f", "1"));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"f", "1"}}));
}

TEST_F(MemoryKvTest, StoreKeysAreSorted) {
  kv_.execute(set("c", "1"));
  kv_.execute(hset("a", "f", "1"));
  kv_.execute(set("b", "1"));

  EXPECT_EQ(store_.keys(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(store_.keys_count(), 3u);
}

TEST_F(MemoryKvTest, PipelineRepliesInOrder) {
  const std::vector<Command> commands = {set("k", "v"), get("k"), hset("k", "f", "1"), del("k")};

  const std::vector<Reply> replies = kv_.execute_pipeline(commands);

  ASSERT_EQ(replies.size(), 4u);
  EXPECT_REPLY(replies[0], Reply::ok());
  EXPECT_REPLY(replies[1], Reply::bulk("v"));
  EXPECT_REPLY(replies[2], Reply::error(kWrongType));
  EXPECT_REPLY(replies[3], Reply::number(1));
}

// MULTI, EXEC and DISCARD.

TEST_F(MemoryKvTest, MultiNestedIsError) {
  EXPECT_REPLY(kv_.execute(multi()), Reply::ok());
  EXPECT_REPLY(kv_.execute(multi()), Reply::error("ERR MULTI calls can not be nested"));

  // The error leaves the transaction open, as in Redis.
  EXPECT_TRUE(kv_.in_transaction());
  EXPECT_REPLY(kv_.execute(set("k", "v")), queued());
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
  EXPECT_FALSE(kv_.in_transaction());
}

TEST_F(MemoryKvTest, ExecWithoutMultiIsError) {
  EXPECT_REPLY(kv_.execute(exec()), Reply::error("ERR EXEC without MULTI"));
  EXPECT_FALSE(kv_.in_transaction());
}

TEST_F(MemoryKvTest, DiscardWithoutMultiIsError) {
  EXPECT_REPLY(kv_.execute(discard()), Reply::error("ERR DISCARD without MULTI"));
  EXPECT_FALSE(kv_.in_transaction());
}

TEST_F(MemoryKvTest, QueuedCommandsApplyAtExec) {
  kv_.execute(set("s", "old"));

  EXPECT_REPLY(kv_.execute(multi()), Reply::ok());
  EXPECT_TRUE(kv_.in_transaction());
  EXPECT_REPLY(kv_.execute(set("s", "new")), queued());
  EXPECT_REPLY(kv_.execute(hset("h", "f", "1")), queued());
  EXPECT_REPLY(kv_.execute(get("s")), queued());
  EXPECT_REPLY(kv_.execute(hgetall("h")), queued());
  EXPECT_REPLY(kv_.execute(del("s")), queued());

  // Nothing has reached the store yet.
  ASSERT_NE(store_.find("s"), nullptr);
  EXPECT_EQ(std::get<std::string>(*store_.find("s")), "old");
  EXPECT_EQ(store_.find("h"), nullptr);

  const Reply expected = Reply::array({Reply::ok(), Reply::number(1), Reply::bulk("new"),
                                       field_values({{"f", "1"}}), Reply::number(1)});
  EXPECT_REPLY(kv_.execute(exec()), expected);
  EXPECT_FALSE(kv_.in_transaction());
  EXPECT_EQ(store_.find("s"), nullptr);
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"f", "1"}}));
}

TEST_F(MemoryKvTest, OtherConnectionSeesNoQueuedWrite) {
  kv_.execute(multi());
  kv_.execute(set("k", "v"));
  kv_.execute(hset("h", "f", "1"));

  EXPECT_REPLY(other_.execute(get("k")), Reply::nil());
  EXPECT_REPLY(other_.execute(exists("h")), Reply::number(0));
  EXPECT_FALSE(other_.in_transaction());

  kv_.execute(exec());

  EXPECT_REPLY(other_.execute(get("k")), Reply::bulk("v"));
  EXPECT_REPLY(other_.execute(hgetall("h")), field_values({{"f", "1"}}));
}

TEST_F(MemoryKvTest, QueuedReadsSeeStateAtExec) {
  kv_.execute(multi());
  kv_.execute(get("k"));

  // Another connection writes after the GET was queued but before EXEC runs it.
  EXPECT_REPLY(other_.execute(set("k", "from-other")), Reply::ok());

  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::bulk("from-other")}));
}

TEST_F(MemoryKvTest, OtherConnectionRunsDuringMulti) {
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));

  // The other connection is not in a transaction, so its commands run at once.
  EXPECT_REPLY(other_.execute(set("k", "theirs")), Reply::ok());
  EXPECT_REPLY(other_.execute(get("k")), Reply::bulk("theirs"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
  EXPECT_REPLY(other_.execute(get("k")), Reply::bulk("mine"));
}

TEST_F(MemoryKvTest, ExecEmptyQueueIsEmptyArray) {
  kv_.execute(multi());
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({}));
}

TEST_F(MemoryKvTest, DiscardDropsQueue) {
  kv_.execute(set("k", "old"));

  kv_.execute(multi());
  kv_.execute(set("k", "new"));
  kv_.execute(hset("h", "f", "1"));
  EXPECT_REPLY(kv_.execute(discard()), Reply::ok());

  EXPECT_FALSE(kv_.in_transaction());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("old"));
  EXPECT_REPLY(kv_.execute(exists("h")), Reply::number(0));
  EXPECT_REPLY(kv_.execute(exec()), Reply::error("ERR EXEC without MULTI"));
}

TEST_F(MemoryKvTest, RuntimeErrorInsideExecKeepsOthers) {
  kv_.execute(set("s", "v"));

  kv_.execute(multi());
  EXPECT_REPLY(kv_.execute(set("before", "1")), queued());
  EXPECT_REPLY(kv_.execute(hset("s", "f", "1")), queued());
  EXPECT_REPLY(kv_.execute(hset("h", "f", "1")), queued());
  EXPECT_REPLY(kv_.execute(rename("missing", "x")), queued());
  EXPECT_REPLY(kv_.execute(set("after", "2")), queued());

  // Redis reports a command's runtime error in its slot of the EXEC array and still runs the
  // rest of the queue. It rolls nothing back.
  const Reply expected = Reply::array({Reply::ok(), Reply::error(kWrongType), Reply::number(1),
                                       Reply::error("ERR no such key"), Reply::ok()});
  EXPECT_REPLY(kv_.execute(exec()), expected);
  EXPECT_REPLY(kv_.execute(get("before")), Reply::bulk("1"));
  EXPECT_REPLY(kv_.execute(get("after")), Reply::bulk("2"));
  EXPECT_REPLY(kv_.execute(get("s")), Reply::bulk("v"));
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"f", "1"}}));
}

TEST_F(MemoryKvTest, TransactionsArePerConnection) {
  kv_.execute(multi());

  EXPECT_FALSE(other_.in_transaction());
  EXPECT_REPLY(other_.execute(exec()), Reply::error("ERR EXEC without MULTI"));
  EXPECT_REPLY(other_.execute(multi()), Reply::ok());
  EXPECT_REPLY(other_.execute(set("b", "2")), queued());
  EXPECT_REPLY(kv_.execute(set("a", "1")), queued());

  EXPECT_REPLY(other_.execute(exec()), Reply::array({Reply::ok()}));
  EXPECT_REPLY(other_.execute(get("a")), Reply::nil());
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
  EXPECT_REPLY(other_.execute(get("a")), Reply::bulk("1"));
}

// WATCH and UNWATCH.

TEST_F(MemoryKvTest, WatchUntouchedExecSucceeds) {
  kv_.execute(set("k", "v"));

  EXPECT_REPLY(kv_.execute(watch("k")), Reply::ok());
  other_.execute(get("k"));
  other_.execute(set("unrelated", "x"));
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("mine"));
}

TEST_F(MemoryKvTest, WatchSetByOtherAbortsExec) {
  kv_.execute(set("k", "v"));

  kv_.execute(watch("k"));
  EXPECT_REPLY(other_.execute(set("k", "theirs")), Reply::ok());
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));
  kv_.execute(set("other-key", "x"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
  EXPECT_FALSE(kv_.in_transaction());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("theirs"));
  EXPECT_REPLY(kv_.execute(exists("other-key")), Reply::number(0));
}

TEST_F(MemoryKvTest, WatchChangeDuringMultiAbortsExec) {
  kv_.execute(set("k", "v"));

  kv_.execute(watch("k"));
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));
  other_.execute(set("k", "theirs"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("theirs"));
}

TEST_F(MemoryKvTest, WatchDeletedByOtherAbortsExec) {
  kv_.execute(set("k", "v"));

  kv_.execute(watch("k"));
  EXPECT_REPLY(other_.execute(del("k")), Reply::number(1));
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
  EXPECT_REPLY(kv_.execute(exists("k")), Reply::number(0));
}

TEST_F(MemoryKvTest, WatchCreatedByOtherAbortsExec) {
  kv_.execute(watch("k"));
  EXPECT_REPLY(other_.execute(hset("k", "f", "1")), Reply::number(1));
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
  EXPECT_REPLY(kv_.execute(type("k")), Reply::status("hash"));
}

TEST_F(MemoryKvTest, WatchHashFieldChangeAbortsExec) {
  kv_.execute(hset("h", "f", "1"));

  kv_.execute(watch("h"));
  // Rewriting a field with its current value still counts as a modification in Redis.
  EXPECT_REPLY(other_.execute(hset("h", "f", "1")), Reply::number(0));
  kv_.execute(multi());
  kv_.execute(hset("h", "g", "2"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
  EXPECT_REPLY(kv_.execute(hgetall("h")), field_values({{"f", "1"}}));
}

TEST_F(MemoryKvTest, WatchHashEmptiedAbortsExec) {
  kv_.execute(hset("h", "f", "1"));

  kv_.execute(watch("h"));
  EXPECT_REPLY(other_.execute(hdel("h", "f")), Reply::number(1));
  kv_.execute(multi());
  kv_.execute(hset("h", "g", "2"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
  EXPECT_REPLY(kv_.execute(exists("h")), Reply::number(0));
}

TEST_F(MemoryKvTest, WatchRenameEitherSideAbortsExec) {
  kv_.execute(set("src", "v"));

  // The source key of a RENAME.
  kv_.execute(watch("src"));
  other_.execute(rename("src", "dst"));
  kv_.execute(multi());
  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());

  // The destination key of a RENAME.
  kv_.execute(watch("moved"));
  other_.execute(rename("dst", "moved"));
  kv_.execute(multi());
  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
}

TEST_F(MemoryKvTest, WatchIgnoresNoOpWrites) {
  kv_.execute(hset("h", "f", "1"));

  kv_.execute(watch("h"));
  kv_.execute(watch("missing"));
  // Redis signals no modification for commands that change nothing.
  EXPECT_REPLY(other_.execute(hdel("h", "absent")), Reply::number(0));
  EXPECT_REPLY(other_.execute(del("missing")), Reply::number(0));
  EXPECT_REPLY(other_.execute(hdel("missing", "f")), Reply::number(0));
  EXPECT_REPLY(other_.execute(hset("unrelated", "f", "1")), Reply::number(1));
  EXPECT_REPLY(other_.execute(hgetall("h")), field_values({{"f", "1"}}));
  kv_.execute(multi());
  kv_.execute(hset("h", "g", "2"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::number(1)}));
}

TEST_F(MemoryKvTest, WatchOwnWriteAbortsExec) {
  kv_.execute(watch("k"));
  // Redis aborts the transaction on any modification, including the watching connection's own.
  EXPECT_REPLY(kv_.execute(set("k", "v")), Reply::ok());
  kv_.execute(multi());
  kv_.execute(set("k", "w"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("v"));
}

TEST_F(MemoryKvTest, WatchAnyOfSeveralKeys) {
  kv_.execute(watch("a"));
  kv_.execute(watch("b"));
  other_.execute(set("b", "x"));
  kv_.execute(multi());

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
}

TEST_F(MemoryKvTest, WatchBothConnections) {
  kv_.execute(watch("k"));
  other_.execute(watch("k"));

  kv_.execute(multi());
  kv_.execute(set("k", "first"));
  other_.execute(multi());
  other_.execute(set("k", "second"));

  // The first EXEC modifies the key the other connection watches.
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
  EXPECT_REPLY(other_.execute(exec()), Reply::nil());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("first"));
}

TEST_F(MemoryKvTest, WatchInsideMultiIsError) {
  kv_.execute(multi());

  EXPECT_REPLY(kv_.execute(watch("k")), Reply::error("ERR WATCH inside MULTI is not allowed"));
  EXPECT_TRUE(kv_.in_transaction());

  // The rejected WATCH did not start watching the key.
  other_.execute(set("k", "theirs"));
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({}));
}

TEST_F(MemoryKvTest, UnwatchForgetsKeys) {
  kv_.execute(watch("k"));
  EXPECT_REPLY(kv_.execute(unwatch()), Reply::ok());
  other_.execute(set("k", "theirs"));
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("mine"));
}

TEST_F(MemoryKvTest, UnwatchWithoutWatchIsOk) {
  EXPECT_REPLY(kv_.execute(unwatch()), Reply::ok());
  EXPECT_REPLY(kv_.execute(unwatch()), Reply::ok());
}

// Redis 7.0 queues UNWATCH inside MULTI, so EXEC still aborts on the watched key.
TEST_F(MemoryKvTest, UnwatchInsideMultiIsQueued) {
  kv_.execute(watch("k"));
  kv_.execute(multi());

  EXPECT_REPLY(kv_.execute(unwatch()), queued());
  other_.execute(set("k", "theirs"));
  kv_.execute(set("k", "mine"));

  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
  EXPECT_REPLY(kv_.execute(get("k")), Reply::bulk("theirs"));
}

TEST_F(MemoryKvTest, ExecEndsWatch) {
  kv_.execute(watch("k"));
  kv_.execute(multi());
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({}));

  // The next transaction watches nothing.
  other_.execute(set("k", "theirs"));
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
}

TEST_F(MemoryKvTest, AbortedExecEndsWatch) {
  kv_.execute(watch("k"));
  other_.execute(set("k", "theirs"));
  kv_.execute(multi());
  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());

  other_.execute(set("k", "again"));
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
}

TEST_F(MemoryKvTest, DiscardEndsWatch) {
  kv_.execute(watch("k"));
  kv_.execute(multi());
  EXPECT_REPLY(kv_.execute(discard()), Reply::ok());

  other_.execute(set("k", "theirs"));
  kv_.execute(multi());
  kv_.execute(set("k", "mine"));
  EXPECT_REPLY(kv_.execute(exec()), Reply::array({Reply::ok()}));
}

TEST_F(MemoryKvTest, ClosedWatcherLeavesOthersWorking) {
  {
    MemoryKv closing(store_);
    closing.execute(watch("k"));
  }

  kv_.execute(watch("k"));
  other_.execute(set("k", "theirs"));
  kv_.execute(multi());
  EXPECT_REPLY(kv_.execute(exec()), Reply::nil());
}

}  // namespace
}  // namespace reviewsim
