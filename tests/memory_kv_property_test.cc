// Properties of MemoryKv against a reference model written here: random command sequences over
// three keys, three fields and two values, so that commands collide on keys and types. The
// model keeps hash fields in insertion order, as Redis returns small hashes, so HGETALL replies
// compare exactly. RapidCheck prints the seed of a failing run; RC_PARAMS="reproduce=..." replays
// it.

#include <algorithm>
#include <array>
#include <map>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>
// The RapidCheck glue uses GoogleTest's macros, so it comes after gtest.h.
#include <rapidcheck/gtest.h>

#include "adapters/memory_kv.h"

namespace reviewsim {
namespace {

using Keyspace = std::map<std::string, MemoryStore::Value>;

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

// The Redis 7.0 behaviour of the plain commands MemoryKv supports, on an ordered map.
class ReferenceStore {
 public:
  using Hash = MemoryStore::Hash;

  // Applies `command` and returns Redis's reply. Adds to `modified_keys` each key that Redis
  // signals as modified, which breaks a WATCH on that key.
  Reply apply(const Command& command, std::set<std::string>& modified_keys) {
    switch (command.op) {
      case Op::get: return get(command.key);
      case Op::set:
        keyspace_[command.key] = command.value;
        modified_keys.insert(command.key);
        return Reply::ok();
      case Op::del:
        if (keyspace_.erase(command.key) == 0) return Reply::number(0);
        modified_keys.insert(command.key);
        return Reply::number(1);
      case Op::exists: return Reply::number(keyspace_.contains(command.key) ? 1 : 0);
      case Op::type: return type(command.key);
      case Op::rename: return rename(command.key, command.value, modified_keys);
      case Op::hset: return hset(command, modified_keys);
      case Op::hdel: return hdel(command, modified_keys);
      case Op::hgetall: return hgetall(command.key);
      default: break;
    }
    throw std::logic_error("the reference has no plain command " + format_command(command));
  }

  const Keyspace& keyspace() const { return keyspace_; }

 private:
  Reply get(const std::string& key) const {
    const auto found = keyspace_.find(key);
    if (found == keyspace_.end()) return Reply::nil();
    if (const auto* text = std::get_if<std::string>(&found->second)) return Reply::bulk(*text);
    return Reply::error(kWrongType);
  }

  Reply type(const std::string& key) const {
    const auto found = keyspace_.find(key);
    if (found == keyspace_.end()) return Reply::status("none");
    if (std::holds_alternative<std::string>(found->second)) return Reply::status("string");
    return Reply::status("hash");
  }

  Reply rename(const std::string& key, const std::string& new_key,
               std::set<std::string>& modified_keys) {
    const auto found = keyspace_.find(key);
    if (found == keyspace_.end()) return Reply::error("ERR no such key");
    // Redis replies OK to RENAME k k and signals no modification.
    if (key == new_key) return Reply::ok();

    MemoryStore::Value value = found->second;
    keyspace_.erase(found);
    keyspace_[new_key] = std::move(value);
    modified_keys.insert(key);
    modified_keys.insert(new_key);
    return Reply::ok();
  }

  // The hash at `key`, or nullptr when the key is missing. Sets `wrong_type` for a string.
  Hash* find_hash(const std::string& key, bool& wrong_type) {
    wrong_type = false;
    const auto found = keyspace_.find(key);
    if (found == keyspace_.end()) return nullptr;
    Hash* hash = std::get_if<Hash>(&found->second);
    wrong_type = hash == nullptr;
    return hash;
  }

  Reply hset(const Command& command, std::set<std::string>& modified_keys) {
    bool wrong_type = false;
    Hash* hash = find_hash(command.key, wrong_type);
    if (wrong_type) return Reply::error(kWrongType);
    if (hash == nullptr) hash = &std::get<Hash>(keyspace_[command.key] = Hash{});

    modified_keys.insert(command.key);
    for (auto& [field, value] : *hash) {
      if (field != command.field) continue;
      value = command.value;
      return Reply::number(0);
    }
    hash->emplace_back(command.field, command.value);
    return Reply::number(1);
  }

  Reply hdel(const Command& command, std::set<std::string>& modified_keys) {
    bool wrong_type = false;
    Hash* hash = find_hash(command.key, wrong_type);
    if (wrong_type) return Reply::error(kWrongType);
    if (hash == nullptr) return Reply::number(0);

    const auto field = std::find_if(hash->begin(), hash->end(),
                                    [&](const auto& pair) { return pair.first == command.field; });
    if (field == hash->end()) return Reply::number(0);
    hash->erase(field);
    if (hash->empty()) keyspace_.erase(command.key);
    modified_keys.insert(command.key);
    return Reply::number(1);
  }

  Reply hgetall(const std::string& key) {
    bool wrong_type = false;
    const Hash* hash = find_hash(key, wrong_type);
    if (wrong_type) return Reply::error(kWrongType);
    std::vector<Reply> elements;
    if (hash == nullptr) return Reply::array(std::move(elements));
    for (const auto& [field, value] : *hash) {
      elements.push_back(Reply::bulk(field));
      elements.push_back(Reply::bulk(value));
    }
    return Reply::array(std::move(elements));
  }

  Keyspace keyspace_;
};

// A generated plain command. The wrapper lets RapidCheck print counterexamples through
// showValue, which it finds by argument-dependent lookup in this namespace.
struct GeneratedCommand {
  Command command;
};

void showValue(const GeneratedCommand& generated, std::ostream& os) {
  os << format_command(generated.command);
}

const std::array<const char*, 3> kKeys = {"a", "b", "c"};
const std::array<const char*, 3> kFields = {"f", "g", "h"};
const std::array<const char*, 2> kValues = {"1", "2"};

// A plain command on the small alphabet. Hash writes are drawn more often than the rest so that
// hashes grow past one field.
rc::Gen<GeneratedCommand> plain_command() {
  const auto ops = rc::gen::weightedElement<Op>({{2, Op::get},
                                                 {2, Op::set},
                                                 {1, Op::del},
                                                 {1, Op::exists},
                                                 {1, Op::type},
                                                 {1, Op::rename},
                                                 {4, Op::hset},
                                                 {3, Op::hdel},
                                                 {2, Op::hgetall}});
  return rc::gen::apply(
      [](Op op, int key, int other_key, int field, int value) {
        Command command{op, kKeys[key], {}, {}};
        if (op == Op::set) command.value = kValues[value];
        if (op == Op::rename) command.value = kKeys[other_key];
        if (op == Op::hset || op == Op::hdel) command.field = kFields[field];
        if (op == Op::hset) command.value = kValues[value];
        return GeneratedCommand{std::move(command)};
      },
      ops, rc::gen::inRange(0, 3), rc::gen::inRange(0, 3), rc::gen::inRange(0, 3),
      rc::gen::inRange(0, 2));
}

rc::Gen<std::vector<GeneratedCommand>> plain_commands() {
  return rc::gen::container<std::vector<GeneratedCommand>>(plain_command());
}

std::string describe_value(const MemoryStore::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return "\"" + *text + "\"";
  std::string line = "{";
  for (const auto& [field, field_value] : std::get<MemoryStore::Hash>(value)) {
    if (line.size() > 1) line += ", ";
    line += field + ": " + field_value;
  }
  return line + "}";
}

std::string describe_keyspace(const Keyspace& keyspace) {
  if (keyspace.empty()) return "(empty)";
  std::string line;
  for (const auto& [key, value] : keyspace) {
    if (!line.empty()) line += ", ";
    line += key + "=" + describe_value(value);
  }
  return line;
}

Keyspace keyspace_of(const MemoryStore& store) {
  Keyspace keyspace;
  for (const std::string& key : store.keys()) {
    const MemoryStore::Value* value = store.find(key);
    RC_ASSERT(value != nullptr);
    keyspace.emplace(key, *value);
  }
  return keyspace;
}

void expect_reply(const std::string& where, const Command& command, const Reply& actual,
                  const Reply& expected) {
  if (actual == expected) return;
  RC_FAIL(where + ": " + format_command(command) + " returned " + format_reply(actual) +
          ", the reference returned " + format_reply(expected));
}

void expect_keyspace(const MemoryStore& store, const ReferenceStore& reference) {
  const Keyspace actual = keyspace_of(store);
  if (actual == reference.keyspace()) return;
  RC_FAIL("final keyspace " + describe_keyspace(actual) + " differs from the reference " +
          describe_keyspace(reference.keyspace()));
}

// One connection's MULTI block interleaved with another connection's plain commands. The block
// script is the optional WATCH, MULTI, the block and EXEC. `slots` contains, for each plain
// command, the index of the block-script command it runs before.
struct Interleaving {
  std::vector<GeneratedCommand> setup;
  std::vector<GeneratedCommand> block;
  std::vector<GeneratedCommand> others;
  std::vector<std::size_t> slots;
};

void showValue(const Interleaving& run, std::ostream& os) {
  os << "setup: ";
  rc::show(run.setup, os);
  os << "\nblock: ";
  rc::show(run.block, os);
  os << "\nother connection: ";
  rc::show(run.others, os);
  os << "\nbefore block-script index: ";
  rc::show(run.slots, os);
}

rc::Gen<Interleaving> interleaving(std::size_t script_prefix_size) {
  return rc::gen::mapcat(
      rc::gen::tuple(plain_commands(), plain_commands(), plain_commands()),
      [script_prefix_size](
          const std::tuple<std::vector<GeneratedCommand>, std::vector<GeneratedCommand>,
                           std::vector<GeneratedCommand>>& drawn) {
        const auto& [setup, block, others] = drawn;
        const std::size_t script_size = script_prefix_size + block.size() + 1;
        const auto slot = rc::gen::inRange<std::size_t>(0, script_size + 1);
        return rc::gen::map(rc::gen::container<std::vector<std::size_t>>(others.size(), slot),
                            [setup, block, others](std::vector<std::size_t> slots) {
                              std::sort(slots.begin(), slots.end());
                              return Interleaving{setup, block, others, std::move(slots)};
                            });
      });
}

// Runs the interleaving on two MemoryKv connections and on the reference, where the block runs
// as a unit at the EXEC point, and compares every reply and the final keyspace. With
// `watched_key`, the block connection watches that key first and EXEC must abort exactly when
// another command modified the key after the WATCH.
void check_interleaving(const Interleaving& run, const std::string* watched_key) {
  MemoryStore store;
  MemoryKv block_kv(store);
  MemoryKv other_kv(store);
  ReferenceStore reference;
  std::set<std::string> modified_keys;

  for (const GeneratedCommand& generated : run.setup) {
    const Reply expected = reference.apply(generated.command, modified_keys);
    expect_reply("setup", generated.command, other_kv.execute(generated.command), expected);
  }

  std::vector<Command> script;
  if (watched_key != nullptr) script.push_back(Command{Op::watch, *watched_key, {}, {}});
  script.push_back(Command{Op::multi, {}, {}, {}});
  for (const GeneratedCommand& generated : run.block) script.push_back(generated.command);
  script.push_back(Command{Op::exec, {}, {}, {}});

  std::size_t other_index = 0;
  for (std::size_t script_index = 0; script_index <= script.size(); ++script_index) {
    while (other_index < run.others.size() && run.slots[other_index] == script_index) {
      const Command& command = run.others[other_index].command;
      const Reply expected = reference.apply(command, modified_keys);
      expect_reply("other connection", command, other_kv.execute(command), expected);
      ++other_index;
    }
    if (script_index == script.size()) break;

    const Command& command = script[script_index];
    const Reply actual = block_kv.execute(command);
    if (command.op == Op::watch) {
      expect_reply("block connection", command, actual, Reply::ok());
      modified_keys.clear();
    } else if (command.op == Op::multi) {
      expect_reply("block connection", command, actual, Reply::ok());
    } else if (command.op != Op::exec) {
      expect_reply("block connection", command, actual, Reply::status("QUEUED"));
    } else if (watched_key != nullptr && modified_keys.contains(*watched_key)) {
      expect_reply("block connection", command, actual, Reply::nil());
    } else {
      std::vector<Reply> replies;
      for (const GeneratedCommand& generated : run.block) {
        replies.push_back(reference.apply(generated.command, modified_keys));
      }
      expect_reply("block connection", command, actual, Reply::array(std::move(replies)));
    }
  }

  RC_ASSERT(other_index == run.others.size());
  RC_ASSERT(!block_kv.in_transaction());
  expect_keyspace(store, reference);
}

RC_GTEST_PROP(MemoryKvProperty, RepliesMatchReference, ()) {
  const auto commands = *plain_commands();
  MemoryStore store;
  MemoryKv kv(store);
  ReferenceStore reference;
  std::set<std::string> modified_keys;

  for (std::size_t index = 0; index < commands.size(); ++index) {
    const Command& command = commands[index].command;
    const Reply expected = reference.apply(command, modified_keys);
    expect_reply("command " + std::to_string(index), command, kv.execute(command), expected);
  }
  expect_keyspace(store, reference);
}

RC_GTEST_PROP(MemoryKvProperty, ExecAppliesBlockAtOnce, ()) {
  const auto run = *interleaving(/*script_prefix_size=*/1);
  check_interleaving(run, nullptr);
}

RC_GTEST_PROP(MemoryKvProperty, WatchAbortsOnlyWhenModified, ()) {
  const auto run = *interleaving(/*script_prefix_size=*/2);
  const std::string watched_key = *rc::gen::elementOf(kKeys);
  check_interleaving(run, &watched_key);
}

}  // namespace
}  // namespace reviewsim
