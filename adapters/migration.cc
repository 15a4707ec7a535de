#include "adapters/migration.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/review_json.h"
#include "adapters/strategy.h"
#include "model/assert.h"
#include "model/catalog.h"

namespace reviewsim {

namespace {

using nlohmann::json;

constexpr std::string_view kBlobPrefix = "match-review:";
constexpr std::string_view kBackupPrefix = "match-review-backup:";
// Backup keys tried per company: match-review-backup:<company>, then :2 up to this number.
constexpr int kBackupKeysMax = 100;
// SCAN calls before find_blob_companies gives up; at COUNT 100 that covers 100 million keys.
constexpr std::size_t kScanCallsMax = 1000000;

spdlog::logger& migration_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    std::shared_ptr<spdlog::logger> existing = spdlog::get("migration");
    return existing ? existing : spdlog::stderr_color_mt("migration");
  }();
  return *logger;
}

// Replaces a field the model cannot read with its import default, keeping the original under
// "imported_<name>". Returns true when it changed something.
bool default_field(json& entry, const std::string& name, const json& fallback, bool usable) {
  if (usable) return false;
  const auto found = entry.find(name);
  if (found != entry.end()) entry["imported_" + name] = *found;
  entry[name] = fallback;
  return true;
}

// The entry JSON to store for one blob entry. Sets `defaulted` when an import default was used.
std::string convert_entry(const json& value, std::string_view status, const std::string& item,
                          bool& defaulted) {
  if (!value.is_object()) {
    throw DecodeError(
        fmt::format("the {} entry of item \"{}\" is not a JSON object", status, item));
  }
  json entry = value;
  const auto by = entry.find("by");
  const bool by_usable =
      by != entry.end() && by->is_string() && parse_user_name(by->get<std::string>()).has_value();
  const auto seq = entry.find("seq");
  const bool seq_usable = seq != entry.end() && seq->is_number_unsigned() &&
                          seq->get<std::uint64_t>() <= UINT32_MAX;
  const auto at = entry.find("at");
  const bool at_usable = at != entry.end() && at->is_number_integer();

  defaulted = false;
  defaulted = default_field(entry, "by", "import", by_usable) || defaulted;
  defaulted = default_field(entry, "seq", 0, seq_usable) || defaulted;
  defaulted = default_field(entry, "at", 0, at_usable) || defaulted;

  const auto node = entry.find("node");
  if (node != entry.end() && !node->is_string()) {
    throw DecodeError(fmt::format("the {} entry of item \"{}\" has a \"node\" that is not a string",
                                  status, item));
  }
  std::string text = entry.dump();
  // What this writes must be what the strategies read.
  decode_entry(text);
  return text;
}

std::string blob_key_of(const std::string& company) { return std::string(kBlobPrefix) + company; }

std::string backup_key_of(const std::string& company, int number) {
  std::string key = std::string(kBackupPrefix) + company;
  if (number > 1) key.append(":").append(std::to_string(number));
  return key;
}

std::array<std::string, kStatusCount> hash_keys_of(const std::string& company) {
  Catalog catalog;
  const CompanyId id = catalog.add_company(company);
  std::array<std::string, kStatusCount> keys;
  for (const Status status : kStatuses) {
    keys[static_cast<int>(status)] = hash_key(catalog, id, status);
  }
  return keys;
}

// The company whose status hash has the same key as this company's blob: "acme" for
// "acme:rejected". Converting such a blob would write keys of the other company's layout.
std::optional<std::string> hash_key_owner(const std::string& company) {
  for (const Status status : kStatuses) {
    const std::string suffix = std::string(":").append(status_name(status));
    if (company.size() > suffix.size() && company.ends_with(suffix)) {
      return company.substr(0, company.size() - suffix.size());
    }
  }
  return std::nullopt;
}

ConversionAttempt finished(CompanyConversion conversion, ConversionResult result,
                           std::string detail) {
  conversion.result = result;
  conversion.detail = std::move(detail);
  return ConversionAttempt{std::move(conversion), false};
}

}  // namespace

std::string_view conversion_result_name(ConversionResult result) {
  switch (result) {
    case ConversionResult::converted: return "converted";
    case ConversionResult::would_convert: return "would convert";
    case ConversionResult::skipped: return "skipped";
    case ConversionResult::failed: return "failed";
  }
  RS_ASSERT(false);
}

std::size_t MigrationReport::count(ConversionResult result) const {
  const auto matches = [result](const CompanyConversion& company) {
    return company.result == result;
  };
  return static_cast<std::size_t>(std::count_if(companies.begin(), companies.end(), matches));
}

ConvertedBlob convert_blob(std::string_view json_text) {
  const json blob = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (blob.is_discarded()) throw DecodeError("the blob is not valid JSON");
  if (!blob.is_object()) throw DecodeError("the blob is not a JSON object");
  for (const auto& [name, value] : blob.items()) {
    const bool known = std::any_of(std::begin(kStatuses), std::end(kStatuses),
                                   [&name](Status status) { return status_name(status) == name; });
    if (!known) {
      throw DecodeError(fmt::format("the blob has the field \"{}\"; expected only approved, "
                                    "rejected and manual", name));
    }
  }

  ConvertedBlob converted;
  std::map<std::string, int> statuses_per_item;
  for (const Status status : kStatuses) {
    const auto entries = blob.find(std::string(status_name(status)));
    if (entries == blob.end()) continue;
    if (!entries->is_object()) {
      throw DecodeError(fmt::format("the blob's \"{}\" is not a JSON object", status_name(status)));
    }
    for (const auto& [item, value] : entries->items()) {
      bool defaulted = false;
      std::string entry = convert_entry(value, status_name(status), item, defaulted);
      if (defaulted) ++converted.entries_defaulted;
      ++statuses_per_item[item];
      converted.entries[static_cast<int>(status)].emplace_back(item, std::move(entry));
    }
  }
  for (const auto& [item, count] : statuses_per_item) {
    if (count > 1) ++converted.items_in_several_statuses;
  }
  return converted;
}

std::vector<std::string> find_blob_companies(Kv& kv, std::size_t scan_count) {
  RS_ASSERT(scan_count > 0);
  std::set<std::string> keys;
  std::string cursor = "0";
  std::size_t calls = 0;
  do {
    if (++calls > kScanCallsMax) {
      throw std::runtime_error(fmt::format("SCAN did not finish within {} calls", kScanCallsMax));
    }
    const Reply page = kv.execute(Command{Op::scan, cursor, std::string(kBlobPrefix) + "*",
                                          std::to_string(scan_count)});
    if (page.is_error()) throw std::runtime_error("SCAN failed: " + page.text);
    if (page.elements.size() != 2) {
      throw std::runtime_error("SCAN returned " + format_reply(page) + ", expected [cursor, keys]");
    }
    cursor = page.elements[0].text;
    for (const Reply& key : page.elements[1].elements) keys.insert(key.text);
  } while (cursor != "0");

  // Blobs are the strings among them; the hash layout's keys share the prefix.
  std::vector<Command> types;
  for (const std::string& key : keys) types.push_back(Command{Op::type, key, {}, {}});
  const std::vector<Reply> replies = kv.execute_pipeline(types);
  std::vector<std::string> companies;
  for (std::size_t index = 0; index < types.size(); ++index) {
    if (replies[index].is_error() || replies[index].text != "string") continue;
    companies.push_back(types[index].key.substr(kBlobPrefix.size()));
  }
  return companies;
}

Program<ConversionAttempt> conversion_attempt(std::string company, bool dry_run) {
  CompanyConversion conversion;
  conversion.company = company;
  conversion.blob_key = blob_key_of(company);
  const std::array<std::string, kStatusCount> hash_keys = hash_keys_of(company);

  // Watch everything this attempt reads, so that EXEC aborts if any of it changes.
  Command watch_blob{Op::watch, conversion.blob_key, {}, {}};
  co_await kv_send(watch_blob);
  for (const std::string& key : hash_keys) {
    Command watch_hash{Op::watch, key, {}, {}};
    co_await kv_send(watch_hash);
  }
  Command get{Op::get, conversion.blob_key, {}, {}};
  const Reply blob = co_await kv_call(get);

  std::optional<ConversionAttempt> early;
  ConvertedBlob converted;
  const std::optional<std::string> owner = hash_key_owner(company);
  if (owner && !blob.is_nil() && !blob.is_error()) {
    early = finished(conversion, ConversionResult::failed,
                     fmt::format("{} has the name of a status hash of company \"{}\" but holds a "
                                 "string; left untouched",
                                 conversion.blob_key, *owner));
  } else if (blob.is_nil()) {
    early = finished(conversion, ConversionResult::skipped,
                     "no blob at " + conversion.blob_key + " (converted or deleted meanwhile)");
  } else if (blob.is_error()) {
    early = finished(conversion, ConversionResult::skipped,
                     conversion.blob_key + " does not hold a string: " + blob.text);
  } else {
    try {
      converted = convert_blob(blob.text);
    } catch (const DecodeError& error) {
      early = finished(conversion, ConversionResult::failed,
                       conversion.blob_key + ": " + error.what() + "; left untouched");
    }
  }

  std::set<std::string> items_in_hashes;
  for (std::size_t index = 0; index < hash_keys.size() && !early; ++index) {
    Command hgetall{Op::hgetall, hash_keys[index], {}, {}};
    const Reply fields = co_await kv_call(hgetall);
    if (fields.is_error()) {
      early = finished(conversion, ConversionResult::failed,
                       hash_keys[index] + " is not a hash (" + fields.text + "); " +
                           conversion.blob_key + " left untouched");
      break;
    }
    for (std::size_t field = 0; field + 1 < fields.elements.size(); field += 2) {
      items_in_hashes.insert(fields.elements[field].text);
    }
  }

  for (int number = 1; number <= kBackupKeysMax && !early; ++number) {
    const std::string candidate = backup_key_of(company, number);
    Command watch_backup{Op::watch, candidate, {}, {}};
    co_await kv_send(watch_backup);
    Command exists{Op::exists, candidate, {}, {}};
    const Reply taken = co_await kv_call(exists);
    if (taken.is_error()) {
      early = finished(conversion, ConversionResult::failed,
                       "EXISTS " + candidate + " failed: " + taken.text);
    } else if (taken.integer == 0) {
      conversion.backup_key = candidate;
      break;
    }
  }
  if (!early && conversion.backup_key.empty()) {
    early = finished(conversion, ConversionResult::failed,
                     fmt::format("the backup keys {} to :{} are all taken; {} left untouched",
                                 backup_key_of(company, 1), kBackupKeysMax, conversion.blob_key));
  }

  conversion.entries_defaulted = converted.entries_defaulted;
  conversion.items_in_several_statuses = converted.items_in_several_statuses;
  std::vector<Command> writes;
  for (const Status status : kStatuses) {
    for (const auto& [item, entry] : converted.entries[static_cast<int>(status)]) {
      if (items_in_hashes.contains(item)) {
        ++conversion.entries_kept_from_hashes;
        continue;
      }
      ++conversion.entries_written[static_cast<int>(status)];
      writes.push_back(Command{Op::hset, hash_keys[static_cast<int>(status)], item, entry});
    }
  }
  if (early || dry_run) {
    Command unwatch{Op::unwatch, {}, {}, {}};
    co_await kv_call(unwatch);
    if (early) co_return std::move(*early);
    co_return finished(conversion, ConversionResult::would_convert, {});
  }

  Command multi{Op::multi, {}, {}, {}};
  co_await kv_send(multi);
  for (Command& write : writes) co_await kv_send(write);
  Command rename{Op::rename, conversion.blob_key, {}, conversion.backup_key};
  co_await kv_send(rename);
  Command exec{Op::exec, {}, {}, {}};
  const Reply executed = co_await kv_call(exec);

  if (executed.is_nil()) co_return ConversionAttempt{std::move(conversion), true};
  if (executed.is_error()) {
    co_return finished(conversion, ConversionResult::failed,
                       "EXEC failed, nothing was written: " + executed.text);
  }
  for (const Reply& reply : executed.elements) {
    // The keys' types were checked under WATCH, so this means Redis itself failed a command,
    // and MULTI/EXEC does not roll back the others.
    if (reply.is_error()) {
      co_return finished(conversion, ConversionResult::failed,
                         "a command inside EXEC failed, so the company may be partly converted: " +
                             reply.text);
    }
  }
  co_return finished(conversion, ConversionResult::converted, {});
}

MigrationReport migrate_blobs(Kv& kv, const MigrationOptions& options,
                              const std::function<void(const CompanyConversion&)>& on_company) {
  RS_ASSERT(options.attempts_max >= 1);
  const std::vector<std::string> companies =
      options.company ? std::vector<std::string>{*options.company}
                      : find_blob_companies(kv, options.scan_count);
  migration_log().info("migration start companies={} dry_run={}", companies.size(),
                       options.dry_run);

  MigrationReport report;
  for (const std::string& company : companies) {
    ConversionAttempt attempt;
    int attempts = 0;
    do {
      ++attempts;
      attempt = run_program_pipelined(conversion_attempt(company, options.dry_run), kv);
      if (attempt.aborted) {
        migration_log().info("conversion retry key={} attempt={}/{} reason=\"a watched key "
                             "changed\"", blob_key_of(company), attempts, options.attempts_max);
      }
    } while (attempt.aborted && attempts < options.attempts_max);

    CompanyConversion conversion = std::move(attempt.conversion);
    conversion.attempts = attempts;
    if (attempt.aborted) {
      conversion.result = ConversionResult::failed;
      conversion.detail = fmt::format(
          "concurrent writes aborted the conversion {} times; {} left untouched, run migrate "
          "again", attempts, conversion.blob_key);
    }
    if (conversion.result == ConversionResult::failed) {
      migration_log().error("conversion failed key={} error=\"{}\"", conversion.blob_key,
                            conversion.detail);
    }
    report.companies.push_back(std::move(conversion));
    if (on_company) on_company(report.companies.back());
  }
  migration_log().info("migration end converted={} would_convert={} skipped={} failed={}",
                       report.count(ConversionResult::converted),
                       report.count(ConversionResult::would_convert),
                       report.count(ConversionResult::skipped),
                       report.count(ConversionResult::failed));
  return report;
}

}  // namespace reviewsim
