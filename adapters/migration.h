#pragma once

// The migration from the blob layout to the hash layout: each company's JSON blob at
// match-review:<company> ({"approved": {...}, "rejected": {...}, "manual": {...}}, item name
// to entry) becomes the three hashes match-review:<company>:approved|rejected|manual that the
// hset-multi strategy and ReviewStore use.
//
// Each company converts in one atomic step. The conversion WATCHes the blob, the three hashes
// and the backup key, reads them, and then runs one MULTI/EXEC with an HSET per entry and a
// RENAME of the blob to its backup key. A reader therefore sees either the blob or the
// complete hashes, never half of them. A concurrent write to any of those keys aborts EXEC,
// and the conversion starts again from the new data, so no write is lost.
//
// Rules:
// - An item that already has an entry in one of the company's hashes keeps it, because the new
//   code wrote that entry after the blob's. The blob's entry for that item stays only in the
//   backup.
// - An entry that lacks "by", "seq" or "at", or holds a value the model cannot read (a user
//   other than u1..u5 or import, a negative or fractional number), gets the import defaults
//   "by": "import", "seq": 0, "at": 0. The original value stays in the entry under
//   "imported_by", "imported_seq" or "imported_at". Every other field is copied as it was.
// - An item that the blob lists under two statuses is copied under both, as it was stored.
// - The blob moves to match-review-backup:<company>, or to match-review-backup:<company>:<n>
//   with the smallest free n from 2 when that key is taken, so no earlier backup is lost.
// - A blob that does not parse, or an entry that is not a JSON object, fails that company:
//   it is reported with its key and nothing of it is changed. So does a string at a key named
//   like another company's status hash (match-review:acme:rejected holding a string), because
//   it is either a damaged hash or a blob whose hashes would collide with that company's.
// - Once converted, a company has no blob, so a second run has nothing to do.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/kv.h"
#include "adapters/program.h"
#include "model/ids.h"

namespace reviewsim {

struct MigrationOptions {
  // Report what would change without writing anything.
  bool dry_run = false;
  // Convert only this company; nullopt converts every blob that SCAN finds.
  std::optional<std::string> company;
  // Attempts per company before concurrent writes that keep aborting EXEC fail it.
  int attempts_max = 10;
  // The COUNT hint of each SCAN call.
  std::size_t scan_count = 100;
};

enum class ConversionResult : std::uint8_t {
  converted,      // the hashes were written and the blob moved to its backup key
  would_convert,  // dry run: the blob parses and would be converted
  skipped,        // no blob to convert (converted meanwhile, or the key is not a string)
  failed,         // the blob does not parse, a hash key has the wrong type, or retries ran out
};

std::string_view conversion_result_name(ConversionResult result);

struct CompanyConversion {
  std::string company;
  std::string blob_key;
  ConversionResult result = ConversionResult::failed;
  // The reason a company was skipped or failed; empty otherwise.
  std::string detail;
  // Entries written (or, on a dry run, to write) into the hashes, per status.
  std::array<std::size_t, kStatusCount> entries_written{};
  // Blob entries left out because their item already has an entry in the hashes.
  std::size_t entries_kept_from_hashes = 0;
  // Entries that got at least one import default.
  std::size_t entries_defaulted = 0;
  // Items listed under more than one status in the blob.
  std::size_t items_in_several_statuses = 0;
  std::string backup_key;
  int attempts = 0;
};

struct MigrationReport {
  std::vector<CompanyConversion> companies;

  std::size_t count(ConversionResult result) const;
};

// One converted blob: per status, item name and the entry JSON to store in the hash, in item
// name order.
struct ConvertedBlob {
  std::array<std::vector<std::pair<std::string, std::string>>, kStatusCount> entries;
  std::size_t entries_defaulted = 0;
  std::size_t items_in_several_statuses = 0;
};

// Converts a blob's JSON text by the rules above. Throws DecodeError, with the status and item
// involved, for a blob that does not parse.
ConvertedBlob convert_blob(std::string_view json_text);

// The companies that have a blob: every key matching match-review:* that contains a string,
// found with SCAN and TYPE, sorted and without duplicates. Throws KvError when the connection
// fails and std::runtime_error when SCAN returns an error.
std::vector<std::string> find_blob_companies(Kv& kv, std::size_t scan_count);

// One attempt at converting one company, as a program, so that the simulator can interleave it
// with other handlers. An attempt whose EXEC aborted returns `skipped` with `aborted` set.
struct ConversionAttempt {
  CompanyConversion conversion;
  bool aborted = false;
};
Program<ConversionAttempt> conversion_attempt(std::string company, bool dry_run);

// Converts the companies that `options` selects, one after another, each in one atomic step
// with retries, and calls `on_company` after each. Throws KvError when the connection fails;
// every company reported before that is complete, and the one under way is either fully
// converted or untouched.
MigrationReport migrate_blobs(Kv& kv, const MigrationOptions& options,
                              const std::function<void(const CompanyConversion&)>& on_company = {});

}  // namespace reviewsim
