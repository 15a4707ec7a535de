// reviewsim migrate: converts the old match-review:<company> JSON blobs on a Redis server into
// the hash layout, one company per atomic step (adapters/migration.h has the rules). Prints a
// line per company and a summary. Exits 1 when a company failed, 2 for an invalid URL, and 3
// when Redis cannot be reached or the connection breaks.

#include <iostream>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "adapters/migration.h"
#include "adapters/redis_kv.h"
#include "cli/commands.h"
#include "cli/common.h"

namespace reviewsim::cli {

namespace {

struct MigrateOptions {
  std::string redis_url;
  bool dry_run = false;
  std::string company;
  int connect_timeout_ms = 2000;
  int command_timeout_ms = 5000;
};

std::string plural(std::size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

std::string describe(const CompanyConversion& conversion) {
  if (conversion.result == ConversionResult::skipped ||
      conversion.result == ConversionResult::failed) {
    return fmt::format("{} {}: {}", conversion_result_name(conversion.result), conversion.company,
                       conversion.detail);
  }

  const bool done = conversion.result == ConversionResult::converted;
  const auto& written = conversion.entries_written;
  std::string line = fmt::format(
      "{} {}: {} {} approved, {} rejected, {} manual", conversion_result_name(conversion.result),
      conversion.company, done ? "wrote" : "would write", written[0], written[1], written[2]);
  if (conversion.entries_kept_from_hashes > 0) {
    line += fmt::format("; left out {} whose item the hashes already hold",
                        plural(conversion.entries_kept_from_hashes, "blob entry"));
  }
  if (conversion.entries_defaulted > 0) {
    line += fmt::format("; import defaults for by/seq/at in {}",
                        plural(conversion.entries_defaulted, "entry"));
  }
  if (conversion.items_in_several_statuses > 0) {
    line += fmt::format("; {} in more than one status, copied as stored",
                        plural(conversion.items_in_several_statuses, "item"));
  }
  line += fmt::format("; blob {} {}", done ? "moved to" : "would move to", conversion.backup_key);
  if (conversion.attempts > 1) line += fmt::format(" after {} attempts", conversion.attempts);
  return line;
}

int run_migrate(const MigrateOptions& options) {
  RedisOptions redis;
  try {
    redis.url = RedisUrl::parse(options.redis_url);
  } catch (const RedisUrlError& error) {
    throw UsageError(fmt::format("--redis: {}", error.what()));
  }
  if (options.connect_timeout_ms <= 0 || options.command_timeout_ms <= 0) {
    throw UsageError("--connect-timeout-ms and --command-timeout-ms must be positive");
  }
  redis.connect_timeout = std::chrono::milliseconds(options.connect_timeout_ms);
  redis.command_timeout = std::chrono::milliseconds(options.command_timeout_ms);

  MigrationOptions migration;
  migration.dry_run = options.dry_run;
  if (!options.company.empty()) migration.company = options.company;

  MigrationReport report;
  std::size_t reported_count = 0;
  try {
    RedisKv kv(redis);
    report = migrate_blobs(kv, migration, [&reported_count](const CompanyConversion& conversion) {
      ++reported_count;
      std::cout << describe(conversion) << std::endl;
    });
  } catch (const KvError& error) {
    if (reported_count == 0) {
      throw EnvironmentError(fmt::format("migrate stopped: {}", error.what()));
    }
    throw EnvironmentError(fmt::format(
        "migrate stopped: {}\nThe companies reported above are done, and the company under way "
        "is either fully converted or untouched. Run migrate again once Redis is back.",
        error.what()));
  } catch (const std::runtime_error& error) {
    throw EnvironmentError(fmt::format("migrate stopped: {}", error.what()));
  }

  if (report.companies.empty()) std::cout << "Nothing to convert: no blob found.\n";
  const std::size_t failed = report.count(ConversionResult::failed);
  std::cout << fmt::format("migrate{}: {} converted, {} would convert, {} skipped, {} failed\n",
                           options.dry_run ? " (dry run)" : "",
                           report.count(ConversionResult::converted),
                           report.count(ConversionResult::would_convert),
                           report.count(ConversionResult::skipped), failed);
  return failed > 0 ? kExitAnomaly : kExitClean;
}

}  // namespace

CommandRunner add_migrate_command(CLI::App& app) {
  auto options = std::make_shared<MigrateOptions>();
  CLI::App* command = app.add_subcommand(
      "migrate", "Convert the match-review:<company> JSON blobs on a Redis server into the hash "
                 "layout, one company per atomic MULTI/EXEC; each blob is kept under "
                 "match-review-backup:<company>. Exits 1 when a company failed, 3 when Redis is "
                 "unreachable.");
  command->add_option("--redis", options->redis_url,
                      "Server URL: redis://[:password@]host[:port][/db]")
      ->required();
  command->add_flag("--dry-run", options->dry_run,
                    "Report what would be converted without writing anything");
  command->add_option("--company", options->company,
                      "Convert only this company (default: every blob that SCAN finds)");
  command->add_option("--connect-timeout-ms", options->connect_timeout_ms,
                      "Connect timeout in milliseconds")
      ->capture_default_str();
  command->add_option("--command-timeout-ms", options->command_timeout_ms,
                      "Longest wait for one reply, in milliseconds")
      ->capture_default_str();
  return [options] { return run_migrate(*options); };
}

}  // namespace reviewsim::cli
