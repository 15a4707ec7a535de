#include "adapters/memory_kv.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/assert.h"

namespace reviewsim {

namespace {

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

MemoryStore::Hash::iterator find_field(MemoryStore::Hash& hash, const std::string& field) {
  return std::find_if(hash.begin(), hash.end(),
                      [&field](const auto& pair) { return pair.first == field; });
}

// The position of a key in SCAN order: 64-bit FNV-1a of its bytes.
std::uint64_t scan_position(std::string_view key) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char byte : key) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 1099511628211ull;
  }
  return hash;
}

// Matches a `[...]` class at the start of `pattern` against `byte` and moves `pattern` past the
// closing bracket. Follows Redis's stringmatchlen: "^" negates, "a-z" is a range in either
// order, a backslash quotes the next byte, and a class without "]" runs to the pattern's end.
bool match_class(std::string_view& pattern, char byte) {
  pattern.remove_prefix(1);  // '['
  const bool negated = !pattern.empty() && pattern.front() == '^';
  if (negated) pattern.remove_prefix(1);
  bool matched = false;
  while (!pattern.empty() && pattern.front() != ']') {
    if (pattern.front() == '\\' && pattern.size() >= 2) {
      pattern.remove_prefix(1);
      matched = matched || pattern.front() == byte;
      pattern.remove_prefix(1);
    } else if (pattern.size() >= 3 && pattern[1] == '-') {
      auto low = static_cast<unsigned char>(pattern[0]);
      auto high = static_cast<unsigned char>(pattern[2]);
      if (low > high) std::swap(low, high);
      const auto value = static_cast<unsigned char>(byte);
      matched = matched || (value >= low && value <= high);
      pattern.remove_prefix(3);
    } else {
      matched = matched || pattern.front() == byte;
      pattern.remove_prefix(1);
    }
  }
  if (!pattern.empty()) pattern.remove_prefix(1);  // ']'
  return negated ? !matched : matched;
}

// Redis's glob: "*" any run of bytes, "?" one byte, "[...]" a class, and a backslash quotes
// the next byte.
bool glob_match(std::string_view pattern, std::string_view text) {
  while (!pattern.empty()) {
    switch (pattern.front()) {
      case '*': {
        while (!pattern.empty() && pattern.front() == '*') pattern.remove_prefix(1);
        if (pattern.empty()) return true;
        for (std::size_t start = 0; start <= text.size(); ++start) {
          if (glob_match(pattern, text.substr(start))) return true;
        }
        return false;
      }
      case '?':
        if (text.empty()) return false;
        pattern.remove_prefix(1);
        break;
      case '[':
        if (text.empty() || !match_class(pattern, text.front())) return false;
        text.remove_prefix(1);
        continue;
      case '\\':
        if (pattern.size() >= 2) pattern.remove_prefix(1);
        [[fallthrough]];
      default:
        if (text.empty() || pattern.front() != text.front()) return false;
        pattern.remove_prefix(1);
        break;
    }
    // '?' and literal bytes consume one byte of text.
    text.remove_prefix(1);
  }
  return text.empty();
}

// Parses a SCAN cursor or COUNT as Redis does: decimal digits only.
std::optional<std::uint64_t> parse_unsigned(const std::string& text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (const char digit : text) {
    if (digit < '0' || digit > '9') return std::nullopt;
    const std::uint64_t next = value * 10 + static_cast<std::uint64_t>(digit - '0');
    if (next / 10 != value) return std::nullopt;
    value = next;
  }
  return value;
}

}  // namespace

std::vector<Reply> Kv::execute_pipeline(std::span<const Command> commands) {
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (const Command& command : commands) replies.push_back(execute(command));
  return replies;
}

const MemoryStore::Value* MemoryStore::find(const std::string& key) const {
  const auto found = data_.find(key);
  return found == data_.end() ? nullptr : &found->second;
}

std::vector<std::string> MemoryStore::keys() const {
  std::vector<std::string> keys;
  keys.reserve(data_.size());
  for (const auto& [key, value] : data_) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

void MemoryStore::clear() {
  data_.clear();
  versions_.clear();
}

std::uint64_t MemoryStore::version(const std::string& key) const {
  const auto found = versions_.find(key);
  return found == versions_.end() ? 0 : found->second;
}

void MemoryStore::remove_watcher() {
  RS_ASSERT(watchers_count_ > 0);
  --watchers_count_;
}

void MemoryStore::touch(const std::string& key) {
  if (watchers_count_ > 0) versions_[key] = ++modifications_count_;
}

Reply MemoryStore::apply(const Command& command) {
  switch (command.op) {
    case Op::get: {
      const Value* value = find(command.key);
      if (value == nullptr) return Reply::nil();
      if (!std::holds_alternative<std::string>(*value)) return Reply::error(kWrongType);
      return Reply::bulk(std::get<std::string>(*value));
    }
    case Op::set:
      data_.insert_or_assign(command.key, Value{command.value});
      touch(command.key);
      return Reply::ok();
    case Op::del: {
      const bool erased = data_.erase(command.key) > 0;
      if (erased) touch(command.key);
      return Reply::number(erased ? 1 : 0);
    }
    case Op::exists:
      return Reply::number(data_.contains(command.key) ? 1 : 0);
    case Op::type: {
      const Value* value = find(command.key);
      if (value == nullptr) return Reply::status("none");
      return Reply::status(std::holds_alternative<std::string>(*value) ? "string" : "hash");
    }
    case Op::rename: {
      auto found = data_.find(command.key);
      if (found == data_.end()) return Reply::error("ERR no such key");
      if (command.key == command.value) return Reply::ok();
      Value moved = std::move(found->second);
      data_.erase(found);
      data_.insert_or_assign(command.value, std::move(moved));
      touch(command.key);
      touch(command.value);
      return Reply::ok();
    }
    case Op::hset:
    case Op::hdel:
    case Op::hgetall:
    case Op::hget:
      return apply_hash_command(command);
    case Op::scan:
      return scan(command);
    case Op::flushdb:
      return flush();
    case Op::multi:
    case Op::exec:
    case Op::discard:
    case Op::watch:
    case Op::unwatch:
      break;
  }
  RS_ASSERT(false);
}

Reply MemoryStore::apply_hash_command(const Command& command) {
  auto found = data_.find(command.key);
  if (found != data_.end() && !std::holds_alternative<Hash>(found->second)) {
    return Reply::error(kWrongType);
  }

  switch (command.op) {
    case Op::hset: {
      if (found == data_.end()) found = data_.emplace(command.key, Value{Hash{}}).first;
      Hash& hash = std::get<Hash>(found->second);
      touch(command.key);
      const auto field = find_field(hash, command.field);
      if (field != hash.end()) {
        field->second = command.value;
        return Reply::number(0);
      }
      hash.emplace_back(command.field, command.value);
      return Reply::number(1);
    }
    case Op::hdel: {
      if (found == data_.end()) return Reply::number(0);
      Hash& hash = std::get<Hash>(found->second);
      const auto field = find_field(hash, command.field);
      if (field == hash.end()) return Reply::number(0);
      hash.erase(field);
      // Redis deletes a hash together with its last field.
      if (hash.empty()) data_.erase(found);
      touch(command.key);
      return Reply::number(1);
    }
    case Op::hget: {
      if (found == data_.end()) return Reply::nil();
      Hash& hash = std::get<Hash>(found->second);
      const auto field = find_field(hash, command.field);
      if (field == hash.end()) return Reply::nil();
      return Reply::bulk(field->second);
    }
    case Op::hgetall: {
      std::vector<Reply> elements;
      if (found == data_.end()) return Reply::array(std::move(elements));
      const Hash& hash = std::get<Hash>(found->second);
      elements.reserve(hash.size() * 2);
      for (const auto& [field, value] : hash) {
        elements.push_back(Reply::bulk(field));
        elements.push_back(Reply::bulk(value));
      }
      return Reply::array(std::move(elements));
    }
    default:
      break;
  }
  RS_ASSERT(false);
}

Reply MemoryStore::scan(const Command& command) const {
  const auto cursor = parse_unsigned(command.key);
  if (!cursor) return Reply::error("ERR invalid cursor");
  std::uint64_t count = 10;
  if (!command.value.empty()) {
    const auto parsed = parse_unsigned(command.value);
    if (!parsed) return Reply::error("ERR value is not an integer or out of range");
    if (*parsed < 1) return Reply::error("ERR syntax error");
    count = *parsed;
  }

  std::vector<std::pair<std::uint64_t, const std::string*>> positions;
  for (const auto& [key, value] : data_) {
    const std::uint64_t position = scan_position(key);
    if (position >= *cursor) positions.emplace_back(position, &key);
  }
  std::sort(positions.begin(), positions.end(), [](const auto& left, const auto& right) {
    return left.first != right.first ? left.first < right.first : *left.second < *right.second;
  });

  // Keys that share a position go out in one page, so that the next cursor skips none of them.
  std::size_t page_end = std::min<std::uint64_t>(count, positions.size());
  while (page_end > 0 && page_end < positions.size() &&
         positions[page_end].first == positions[page_end - 1].first) {
    ++page_end;
  }
  std::vector<Reply> keys;
  for (std::size_t index = 0; index < page_end; ++index) {
    const std::string& key = *positions[index].second;
    if (command.field.empty() || glob_match(command.field, key)) keys.push_back(Reply::bulk(key));
  }
  // The position after the last one returned; it wraps to 0 only past the last possible one.
  const std::uint64_t next = page_end == positions.size() ? 0 : positions[page_end - 1].first + 1;
  std::vector<Reply> elements;
  elements.push_back(Reply::bulk(std::to_string(next)));
  elements.push_back(Reply::array(std::move(keys)));
  return Reply::array(std::move(elements));
}

Reply MemoryStore::flush() {
  // Redis 7.0 breaks the WATCH of every watched key that existed when the database was emptied.
  for (const auto& [key, value] : data_) touch(key);
  data_.clear();
  return Reply::ok();
}

MemoryKv::~MemoryKv() {
  if (!watched_.empty()) store_->remove_watcher();
}

void MemoryKv::end_transaction() {
  in_transaction_ = false;
  queued_.clear();
  if (!watched_.empty()) {
    watched_.clear();
    store_->remove_watcher();
  }
}

Reply MemoryKv::execute(const Command& command) {
  switch (command.op) {
    case Op::multi:
      if (in_transaction_) return Reply::error("ERR MULTI calls can not be nested");
      in_transaction_ = true;
      queued_.reserve(4);  // a strategy's transaction queues at most a few commands
      return Reply::ok();
    case Op::discard:
      if (!in_transaction_) return Reply::error("ERR DISCARD without MULTI");
      end_transaction();
      return Reply::ok();
    case Op::exec: {
      if (!in_transaction_) return Reply::error("ERR EXEC without MULTI");
      const bool watched_changed =
          std::any_of(watched_.begin(), watched_.end(), [this](const auto& watched) {
            return store_->version(watched.first) != watched.second;
          });
      std::vector<Command> queued = std::move(queued_);
      end_transaction();
      if (watched_changed) return Reply::nil();
      std::vector<Reply> replies;
      replies.reserve(queued.size());
      for (const Command& queued_command : queued) {
        // A queued UNWATCH has nothing left to do: EXEC has checked and dropped the watches.
        replies.push_back(queued_command.op == Op::unwatch ? Reply::ok() : store_->apply(queued_command));
      }
      return Reply::array(std::move(replies));
    }
    case Op::watch:
      if (in_transaction_) return Reply::error("ERR WATCH inside MULTI is not allowed");
      if (watched_.empty()) store_->add_watcher();
      watched_.emplace_back(command.key, store_->version(command.key));
      return Reply::ok();
    case Op::unwatch:
      // Inside MULTI, Redis queues UNWATCH like any other command.
      if (in_transaction_) break;
      if (!watched_.empty()) {
        watched_.clear();
        store_->remove_watcher();
      }
      return Reply::ok();
    default:
      break;
  }

  if (in_transaction_) {
    queued_.push_back(command);
    return Reply::status("QUEUED");
  }
  return store_->apply(command);
}

}  // namespace reviewsim
