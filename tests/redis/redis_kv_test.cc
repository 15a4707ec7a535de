// RedisKv on a real redis-server: URL parsing, replies against MemoryKv's and pipelining. Also
// the failures a service meets: a wrong password, a refused connect, a connection closed by
// the server, a server stopped mid-run, a reply that never comes and a key of the wrong type.

#include "adapters/redis_kv.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/memory_kv.h"
#include "tests/redis/redis_test_support.h"

namespace reviewsim::testing {
namespace {

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

Command command(Op op, std::string key = {}, std::string field = {}, std::string value = {}) {
  return Command{op, std::move(key), std::move(field), std::move(value)};
}

// Runs `body` and returns the KvError it throws; fails the test when it throws none.
template <typename Body>
KvError expect_kv_error(Body body) {
  try {
    body();
  } catch (const KvError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a KvError";
  return KvError(KvErrorKind::connect_failed, "none thrown");
}

// URL parsing.

TEST(RedisUrl, ParsesHostPortAndDb) {
  const RedisUrl url = RedisUrl::parse("redis://127.0.0.1:6390/3");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 6390);
  EXPECT_EQ(url.db, 3);
  EXPECT_EQ(url.password, "");
}

TEST(RedisUrl, DefaultsPortAndDb) {
  const RedisUrl url = RedisUrl::parse("redis://localhost");
  EXPECT_EQ(url.host, "localhost");
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.db, 0);
  EXPECT_EQ(RedisUrl::parse("redis://localhost/").db, 0);
}

TEST(RedisUrl, ParsesPercentEncodedPassword) {
  const RedisUrl url = RedisUrl::parse("redis://:p%40ss%2Fword@127.0.0.1:6379/0");
  EXPECT_EQ(url.password, "p@ss/word");
  EXPECT_EQ(url.host, "127.0.0.1");
}

TEST(RedisUrl, ParsesIpv6Host) {
  const RedisUrl url = RedisUrl::parse("redis://[::1]:6380");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.redacted(), "redis://[::1]:6380/0");
}

TEST(RedisUrl, RedactedHidesPassword) {
  const RedisUrl url = RedisUrl::parse("redis://:hunter2@127.0.0.1:6379/2");
  EXPECT_EQ(url.redacted(), "redis://:***@127.0.0.1:6379/2");
}

TEST(RedisUrl, RejectsInvalidUrlsNamingTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://127.0.0.1:6379", "must start with redis://"},
      {"rediss://127.0.0.1:6379", "TLS"},
      {"redis://", "host is missing"},
      {"redis://:6379", "host is missing"},
      {"redis://127.0.0.1:", "port \"\""},
      {"redis://127.0.0.1:0", "port \"0\""},
      {"redis://127.0.0.1:70000", "port \"70000\""},
      {"redis://127.0.0.1:63x9", "port \"63x9\""},
      {"redis://127.0.0.1:6379/x", "database \"x\""},
      {"redis://127.0.0.1:6379/-1", "database \"-1\""},
      {"redis://127.0.0.1:6379?timeout=1", "query parameters"},
      {"redis://user:pw@127.0.0.1:6379", "user name is not supported"},
      {"redis://:@127.0.0.1:6379", "password after \":\" is empty"},
      {"redis://:bad%zzpw@127.0.0.1", "invalid %-escape"},
      {"redis://::1:6379", "more than one \":\""},
  };
  for (const auto& [text, problem] : cases) {
    try {
      RedisUrl::parse(text);
      ADD_FAILURE() << text << " parsed";
    } catch (const RedisUrlError& error) {
      EXPECT_NE(std::string(error.what()).find(problem), std::string::npos)
          << text << ": " << error.what();
    }
  }
}

TEST(RedisUrl, ErrorsNeverShowThePassword) {
  for (const std::string text : {"redis://:s3cret@127.0.0.1:99999", "redis://:s3cret@:6379",
                                 "redis://x:s3cret@127.0.0.1"}) {
    try {
      RedisUrl::parse(text);
      ADD_FAILURE() << "parsed";
    } catch (const RedisUrlError& error) {
      EXPECT_EQ(std::string(error.what()).find("s3cret"), std::string::npos) << error.what();
    }
  }
}

// Replies.

class RedisKvTest : public SharedRedisTest {};

TEST_F(RedisKvTest, RepliesEqualMemoryKvReplies) {
  // Each command of this script runs on the server and on MemoryKv; every reply must match.
  const std::vector<Command> script = {
      command(Op::get, "s"),
      command(Op::set, "s", {}, "v1"),
      command(Op::get, "s"),
      command(Op::exists, "s"),
      command(Op::type, "s"),
      command(Op::hset, "h", "f1", "a"),
      command(Op::hset, "h", "f2", "b"),
      command(Op::hset, "h", "f1", "c"),
      command(Op::hgetall, "h"),
      command(Op::hget, "h", "f2"),
      command(Op::hget, "h", "missing"),
      command(Op::hget, "s", "f1"),
      command(Op::hset, "s", "f", "v"),
      command(Op::hgetall, "s"),
      command(Op::get, "h"),
      command(Op::type, "h"),
      command(Op::hdel, "h", "f1"),
      command(Op::hdel, "h", "f1"),
      command(Op::hdel, "h", "f2"),
      command(Op::exists, "h"),
      command(Op::type, "h"),
      command(Op::rename, "s", {}, "t"),
      command(Op::rename, "missing", {}, "t"),
      command(Op::get, "t"),
      command(Op::del, "t"),
      command(Op::del, "t"),
      command(Op::exec),
      command(Op::discard),
      command(Op::multi),
      command(Op::multi),
      command(Op::set, "k", {}, "1"),
      command(Op::hset, "k", "f", "x"),
      command(Op::get, "k"),
      command(Op::exec),
      command(Op::scan, "not-a-number"),
      command(Op::scan, "0", {}, "0"),
      command(Op::scan, "0", {}, "x"),
      command(Op::flushdb),
      command(Op::exists, "k"),
  };
  MemoryStore store;
  MemoryKv memory(store);
  for (const Command& step : script) {
    EXPECT_REPLY(kv_->execute(step), memory.execute(step)) << "command " << format_command(step);
  }
}

TEST_F(RedisKvTest, WrongTypeIsErrorReply) {
  ASSERT_EQ(kv_->execute(command(Op::set, "match-review:acme:approved", {}, "text")), Reply::ok());
  EXPECT_REPLY(kv_->execute(command(Op::hset, "match-review:acme:approved", "a1", "{}")),
               Reply::error(kWrongType));
  // The connection stays usable.
  EXPECT_REPLY(kv_->execute(command(Op::get, "match-review:acme:approved")), Reply::bulk("text"));
  EXPECT_EQ(kv_->reconnects_count(), 0u);
}

TEST_F(RedisKvTest, PipelineSendsMultiExecInOneCall) {
  const std::vector<Command> block = {command(Op::multi), command(Op::hset, "h", "a", "1"),
                                      command(Op::hdel, "g", "a"), command(Op::exec)};
  const std::vector<Reply> replies = kv_->execute_pipeline(block);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_REPLY(replies[0], Reply::ok());
  EXPECT_REPLY(replies[1], Reply::status("QUEUED"));
  EXPECT_REPLY(replies[2], Reply::status("QUEUED"));
  EXPECT_REPLY(replies[3], Reply::array({Reply::number(1), Reply::number(0)}));
}

TEST_F(RedisKvTest, ExecAfterWatchedKeyChangedReturnsNil) {
  auto other = connect_shared();
  ASSERT_EQ(kv_->execute(command(Op::watch, "doc")), Reply::ok());
  ASSERT_EQ(other->execute(command(Op::set, "doc", {}, "theirs")), Reply::ok());
  const std::vector<Command> block = {command(Op::multi), command(Op::set, "doc", {}, "mine"),
                                      command(Op::exec)};
  const std::vector<Reply> replies = kv_->execute_pipeline(block);
  EXPECT_REPLY(replies[2], Reply::nil());
  EXPECT_REPLY(kv_->execute(command(Op::get, "doc")), Reply::bulk("theirs"));
}

TEST_F(RedisKvTest, ScanVisitsEveryKeyOnce) {
  std::vector<Command> sets;
  std::set<std::string> expected;
  for (int index = 0; index < 250; ++index) {
    const std::string key = "match-review:company-" + std::to_string(index);
    sets.push_back(command(Op::set, key, {}, "{}"));
    expected.insert(key);
  }
  sets.push_back(command(Op::set, "other:key", {}, "x"));
  kv_->execute_pipeline(sets);

  std::multiset<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    const Reply page = kv_->execute(command(Op::scan, cursor, "match-review:*", "20"));
    ASSERT_EQ(page.elements.size(), 2u);
    cursor = page.elements[0].text;
    for (const Reply& key : page.elements[1].elements) seen.insert(key.text);
    ASSERT_LT(++calls, 1000);
  } while (cursor != "0");
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
}

// Connection failures.

TEST(RedisKvConnect, RefusedConnectIsConnectFailed) {
  RedisOptions options;
  options.url = RedisUrl::parse("redis://:topsecret@127.0.0.1:" + std::to_string(find_free_port()));
  const KvError error = expect_kv_error([&] { RedisKv kv(options); });
  EXPECT_EQ(error.kind(), KvErrorKind::connect_failed);
  EXPECT_NE(std::string(error.what()).find("Connection refused"), std::string::npos) << error.what();
  EXPECT_EQ(std::string(error.what()).find("topsecret"), std::string::npos) << error.what();
}

TEST(RedisKvConnect, WrongPasswordIsAuthFailed) {
  RedisServerProcess server({{"--requirepass", "right-password"}, {}});

  // Record what the adapter logs, to check that no password appears in it.
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
  RedisOptions good;
  good.url = RedisUrl::parse(server.url("right-password"));
  auto kv = std::make_unique<RedisKv>(good);
  spdlog::get("redis")->sinks().push_back(sink);
  const auto level = spdlog::get("redis")->level();
  spdlog::get("redis")->set_level(spdlog::level::info);

  RedisOptions wrong;
  wrong.url = RedisUrl::parse(server.url("wrong-password"));
  const KvError wrong_error = expect_kv_error([&] { RedisKv connection(wrong); });
  EXPECT_EQ(wrong_error.kind(), KvErrorKind::auth_failed);
  EXPECT_NE(std::string(wrong_error.what()).find("WRONGPASS"), std::string::npos)
      << wrong_error.what();
  EXPECT_EQ(std::string(wrong_error.what()).find("wrong-password"), std::string::npos);

  RedisOptions none;
  none.url = RedisUrl::parse(server.url());
  const KvError none_error = expect_kv_error([&] { RedisKv connection(none); });
  EXPECT_EQ(none_error.kind(), KvErrorKind::auth_failed);
  EXPECT_NE(std::string(none_error.what()).find("NOAUTH"), std::string::npos) << none_error.what();

  // The right password works. Reconnecting with it is covered by
  // ReconnectsOnceAfterServerClosedConnection: a CLIENT KILL here raced with the next command,
  // which could reach the socket before the server closed it.
  EXPECT_EQ(kv->execute(command(Op::set, "k", {}, "v")), Reply::ok());
  EXPECT_REPLY(kv->execute(command(Op::get, "k")), Reply::bulk("v"));

  spdlog::get("redis")->set_level(level);
  auto& sinks = spdlog::get("redis")->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
  const std::vector<std::string> lines = sink->last_formatted();
  EXPECT_FALSE(lines.empty());
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("right-password"), std::string::npos) << line;
    EXPECT_EQ(line.find("wrong-password"), std::string::npos) << line;
  }
}

TEST(RedisKvConnect, ReconnectsOnceAfterServerClosedConnection) {
  RedisServerProcess server;
  RedisOptions options;
  options.url = RedisUrl::parse(server.url());
  RedisKv kv(options);
  RedisKv killer(options);
  ASSERT_EQ(kv.execute(command(Op::set, "k", {}, "v")), Reply::ok());

  // The server closes every other connection while `kv` is idle; the next call notices before
  // sending anything, so it may reconnect and send safely.
  killer.execute_words({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
  EXPECT_REPLY(kv.execute(command(Op::get, "k")), Reply::bulk("v"));
  EXPECT_EQ(kv.reconnects_count(), 1u);
  EXPECT_REPLY(kv.execute(command(Op::get, "k")), Reply::bulk("v"));
  EXPECT_EQ(kv.reconnects_count(), 1u);
}

TEST(RedisKvConnect, ServerStoppedMidRunThrowsConnectFailed) {
  auto server = std::make_unique<RedisServerProcess>();
  RedisOptions options;
  options.url = RedisUrl::parse(server->url());
  RedisKv kv(options);
  ASSERT_EQ(kv.execute(command(Op::set, "k", {}, "v")), Reply::ok());

  server->stop();
  const KvError stopped = expect_kv_error([&] { kv.execute(command(Op::get, "k")); });
  EXPECT_EQ(stopped.kind(), KvErrorKind::connect_failed) << stopped.what();
  EXPECT_NE(std::string(stopped.what()).find(options.url.redacted()), std::string::npos)
      << stopped.what();
  // Every later call tries one reconnect of its own.
  const KvError again = expect_kv_error([&] { kv.execute_pipeline(std::vector<Command>{command(Op::get, "k")}); });
  EXPECT_EQ(again.kind(), KvErrorKind::connect_failed);
}

TEST(RedisKvConnect, ReplyThatNeverComesIsTimeout) {
  RedisOptions options = shared_redis_options();
  options.command_timeout = std::chrono::milliseconds(100);
  RedisKv kv(options);
  // BLPOP on an empty list blocks for a second, longer than the command timeout.
  const KvError error = expect_kv_error([&] {
    kv.execute_words({"BLPOP", "reviewsim-test-empty-list", "1"});
  });
  EXPECT_EQ(error.kind(), KvErrorKind::timeout);
  EXPECT_NE(std::string(error.what()).find("no reply within 100 ms"), std::string::npos)
      << error.what();
  EXPECT_NE(std::string(error.what()).find("BLPOP reviewsim-test-empty-list"), std::string::npos)
      << error.what();
  // The broken connection is replaced on the next call.
  EXPECT_REPLY(kv.execute(command(Op::exists, "reviewsim-test-empty-list")), Reply::number(0));
  EXPECT_EQ(kv.reconnects_count(), 1u);
}

TEST(RedisKvConnect, SelectsTheUrlDatabase) {
  auto db0 = connect_shared(0);
  auto db5 = connect_shared(5);
  ASSERT_EQ(db5->execute(command(Op::flushdb)), Reply::ok());
  ASSERT_EQ(db5->execute(command(Op::set, "only-in-5", {}, "x")), Reply::ok());
  EXPECT_REPLY(db0->execute(command(Op::exists, "only-in-5")), Reply::number(0));
  EXPECT_REPLY(db5->execute(command(Op::exists, "only-in-5")), Reply::number(1));
  db5->execute(command(Op::flushdb));
}

}  // namespace
}  // namespace reviewsim::testing
