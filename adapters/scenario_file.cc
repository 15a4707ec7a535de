#include "adapters/scenario_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "adapters/strategy.h"
#include "model/assert.h"
#include "model/client_variant.h"

namespace reviewsim {

namespace {

// Ordered, so that the first error in file order is the one reported.
using Json = nlohmann::ordered_json;
using FieldNames = std::span<const std::string_view>;

constexpr std::size_t kNameLengthMax = 64;
constexpr TimeMs kTimeMsMax = 3'600'000;  // one hour of virtual time
constexpr TimeMs kPollIntervalMsMin = 100;
constexpr std::int64_t kScriptActionsMax = 10'000;
constexpr std::int64_t kGeneratedActionsMax = 10'000;
// Bounds each weight so that the sum of all six fits in std::uint32_t with room to spare.
constexpr std::int64_t kWeightMax = 1'000'000;
constexpr std::uintmax_t kFileSizeMax = std::uintmax_t{16} << 20;
// Ids are 16 bits wide, and the catalog hands them out in order from 0.
constexpr std::size_t kExpectationsMax = 1'000;
constexpr std::size_t kCompaniesMax = std::numeric_limits<CompanyId>::max();
constexpr std::size_t kItemsMax = std::numeric_limits<ItemId>::max();

std::string error_text(const std::string& file, const std::string& field,
                       const std::string& problem) {
  if (field.empty()) return file + ": " + problem;
  return file + ": field " + field + ": " + problem;
}

std::string field_path(std::string_view parent, std::string_view key) {
  std::string path(parent);
  if (!path.empty()) path += '.';
  path += key;
  return path;
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

// A JSON string literal, escaped, for names and values quoted in messages.
std::string in_quotes(std::string_view text) { return Json(std::string(text)).dump(); }

// Renders `value` for the "found ..." part of a message. Long strings are cut at a UTF-8
// boundary.
std::string describe(const Json& value) {
  constexpr std::size_t kShownBytesMax = 60;
  if (value.is_object()) return value.empty() ? "an empty object" : "an object";
  if (value.is_array()) {
    if (value.empty()) return "an empty array";
    if (value.size() == 1) return "an array of 1 element";
    return "an array of " + std::to_string(value.size()) + " elements";
  }
  if (!value.is_string()) return value.dump();

  std::string text = value.get<std::string>();
  if (text.size() <= kShownBytesMax) return in_quotes(text);
  std::size_t cut = kShownBytesMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return in_quotes(text.substr(0, cut)) + " (cut, " + std::to_string(text.size()) + " bytes)";
}

// Joins names as "a, b, c", the form of a list of accepted fields.
std::string join_plain(std::span<const std::string_view> names) {
  std::string text;
  for (const std::string_view name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

// Joins names as "\"a\", \"b\", \"c\"", the form of a list of accepted values.
std::string join_quoted(std::span<const std::string_view> names) {
  std::string text;
  for (const std::string_view name : names) {
    if (!text.empty()) text += ", ";
    text += in_quotes(name);
  }
  return text;
}

bool contains_name(FieldNames names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const Json* member(const Json& object, std::string_view key) {
  const auto found = object.find(std::string(key));
  if (found == object.end()) return nullptr;
  return &*found;
}

bool is_name_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-';
}

// Returns the reason why `name` cannot be a company, item or scenario name, or nullopt when
// it can.
std::optional<std::string> name_problem(std::string_view name) {
  const std::string expected = "expected a name of 1 to " + std::to_string(kNameLengthMax) +
                               " characters from A-Z, a-z, 0-9, '.', '_' and '-'";
  if (name.empty()) return expected + ", found an empty string";
  if (name.size() > kNameLengthMax) {
    return expected + ", found a name of " + std::to_string(name.size()) + " bytes";
  }
  for (std::size_t index = 0; index < name.size(); ++index) {
    if (is_name_character(name[index])) continue;
    return expected + ", found " + in_quotes(name) + ", whose byte " + std::to_string(index + 1) +
           " is outside that set";
  }
  return std::nullopt;
}

std::vector<std::string_view> action_names() {
  std::vector<std::string_view> names;
  for (int index = 0; index < kActionKindCount; ++index) {
    names.push_back(action_kind_name(static_cast<ActionKind>(index)));
  }
  return names;
}

std::vector<std::string_view> anomaly_names() {
  std::vector<std::string_view> names;
  for (int index = 0; index < kAnomalyKindCount; ++index) {
    names.push_back(anomaly_kind_name(static_cast<AnomalyKind>(index)));
  }
  return names;
}

// Rejects a key that appears twice in one object. nlohmann keeps only the last value of a
// repeated key, which would silently drop a whole script or company.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(const std::string& source) : source_(source) {}

  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
        count_element();
        frames_.emplace_back().is_object = true;
        break;
      case Event::array_start:
        count_element();
        frames_.emplace_back().is_object = false;
        break;
      case Event::object_end:
      case Event::array_end:
        RS_ASSERT(!frames_.empty());
        frames_.pop_back();
        break;
      case Event::key:
        on_key(parsed.get_ref<const std::string&>());
        break;
      case Event::value:
        count_element();
        break;
    }
    return true;  // keep every value
  }

 private:
  struct Frame {
    bool is_object = true;
    std::set<std::string> keys;  // object frames: the keys read so far
    std::string key;             // object frames: the key of the value being read
    std::size_t elements = 0;    // array frames: the elements started so far
  };

  void count_element() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().elements;
  }

  void on_key(const std::string& key) {
    RS_ASSERT(!frames_.empty());
    RS_ASSERT(frames_.back().is_object);
    Frame& frame = frames_.back();
    frame.key = key;
    if (frame.keys.insert(key).second) return;
    throw ScenarioError(source_, path(),
                        "field " + in_quotes(key) +
                            " appears twice in one object, but only one of the two values "
                            "could be used. Remove or rename one");
  }

  // The path of the value being read, such as workload.scripts.u1.
  std::string path() const {
    std::string result;
    for (const Frame& frame : frames_) {
      if (frame.is_object) {
        result = field_path(result, frame.key);
      } else {
        RS_ASSERT(frame.elements > 0);
        result = index_path(result, frame.elements - 1);
      }
    }
    return result;
  }

  const std::string& source_;
  std::vector<Frame> frames_;
};

// The text after "column N: " in an nlohmann parse error, which explains what the parser
// expected. nlohmann 3.11 writes "[json.exception.parse_error.101] parse error at line 1,
// column 2: syntax error while parsing value - ...".
std::string parser_detail(const std::string& what) {
  const auto column = what.find("column ");
  if (column != std::string::npos) {
    const auto colon = what.find(": ", column);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  const auto bracket = what.find("] ");
  if (bracket != std::string::npos) return what.substr(bracket + 2);
  return what;
}

// "line L, column C" of the byte where parsing stopped. nlohmann's `byte` counts the bytes read
// so far, so the last byte read is at offset byte - 1, and at the end of the input the count
// can exceed the text by one. Columns count bytes, as nlohmann's own messages do.
std::string text_position(std::string_view text, std::size_t bytes_read) {
  const std::size_t offset = std::min(bytes_read == 0 ? 0 : bytes_read - 1, text.size());
  const std::string_view before = text.substr(0, offset);
  const auto newlines = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t line = 1 + newlines;
  const std::size_t line_start = before.rfind('\n');
  const std::size_t column =
      line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

Json parse_json(std::string_view text, const std::string& source) {
  DuplicateKeyCheck duplicate_key_check(source);
  try {
    return Json::parse(text.begin(), text.end(), std::ref(duplicate_key_check));
  } catch (const Json::parse_error& error) {
    throw ScenarioError(source, "",
                        "invalid JSON at " + text_position(text, error.byte) + ": " +
                            parser_detail(error.what()));
  } catch (const Json::exception& error) {
    // A number too large for a double, for example, surfaces as out_of_range without a position.
    throw ScenarioError(source, "", "invalid JSON: " + parser_detail(error.what()));
  }
}

// The state of a script after each action: the company its user shows and whether the tab is
// visible, with the reasons that messages cite.
struct ScriptCursor {
  CompanyId company = 0;
  std::string company_origin;
  bool visible = true;
  std::optional<std::size_t> last_visibility_change;  // index of the last hide or show
};

// Validates one parsed scenario document and builds the Scenario. Every check throws a
// ScenarioError through fail(), so a Reader never returns a partly valid scenario.
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  Scenario read(const Json& root);

 private:
  [[noreturn]] void fail(std::string field, std::string problem) const {
    throw ScenarioError(source_, std::move(field), std::move(problem));
  }

  void check_object(const Json& value, const std::string& path) const;
  void check_fields(const Json& object, const std::string& path, FieldNames required,
                    FieldNames optional) const;
  void check_fields(const Json& object, const std::string& path,
                    std::initializer_list<std::string_view> required,
                    std::initializer_list<std::string_view> optional) const {
    check_fields(object, path, FieldNames(required.begin(), required.size()),
                 FieldNames(optional.begin(), optional.size()));
  }
  const std::string& read_string(const Json& value, const std::string& path) const;
  std::string read_name(const Json& value, const std::string& path) const;
  std::string read_node(const Json& value, const std::string& path) const;
  std::int64_t read_integer(const Json& value, const std::string& path, std::int64_t min,
                            std::int64_t max) const;
  const Json& read_array(const Json& value, const std::string& path, std::string_view noun,
                         std::size_t size_max) const;
  CompanyId read_company(const Json& value, const std::string& path) const;
  ItemId read_item_of(const Json& value, const std::string& path, CompanyId company,
                      std::string_view company_origin) const;
  ClientVariant read_client(const Json& value, const std::string& path) const;
  RangeMs read_range(const Json& value, const std::string& path) const;
  Status read_status(const Json& value, const std::string& path) const;

  void read_format(const Json& root) const;
  void read_companies(const Json& companies);
  void read_items(const Json& items, const std::string& path, CompanyId company);
  void read_users(const Json& users);
  void read_timing(const Json& timing);
  void read_initial(const Json& initial);
  InitialEntry read_initial_entry(const Json& entry, const std::string& path) const;
  void read_workload(const Json& workload);
  void read_scripts(const Json& scripts, const std::string& path);
  UserScript read_script(const Json& script, const std::string& path) const;
  Action read_action(const Json& value, const std::string& path, std::size_t index,
                     ScriptCursor& cursor) const;
  void check_action_fields(const Json& value, const std::string& path, ActionKind kind) const;
  void read_decision(const Json& value, const std::string& path, const ScriptCursor& cursor,
                     Action& action) const;
  GeneratedWorkload read_generated(const Json& generated, const std::string& path) const;
  void read_expectations(const Json& expect);
  void read_anomalies(const Json& value, const std::string& path, Expectation& expectation) const;

  const std::string& source_;
  Scenario scenario_;
};

Scenario Reader::read(const Json& root) {
  if (!root.is_object()) {
    fail("", "expected a JSON object at the top level, found " + describe(root));
  }
  read_format(root);
  check_fields(root, "", {"format", "name", "companies", "users", "workload"},
               {"description", "client", "timing", "initial", "expect"});

  scenario_.name = read_name(root.at("name"), "name");
  if (const Json* description = member(root, "description")) {
    scenario_.description = read_string(*description, "description");
  }
  read_companies(root.at("companies"));
  read_users(root.at("users"));
  if (const Json* client = member(root, "client")) {
    scenario_.client = read_client(*client, "client").name;
  }
  if (const Json* timing = member(root, "timing")) read_timing(*timing);
  if (const Json* initial = member(root, "initial")) read_initial(*initial);
  read_workload(root.at("workload"));
  if (const Json* expect = member(root, "expect")) read_expectations(*expect);
  return std::move(scenario_);
}

void Reader::check_object(const Json& value, const std::string& path) const {
  if (!value.is_object()) fail(path, "expected an object, found " + describe(value));
}

// Requires an object whose fields are all among `required` and `optional`, with every required
// field present. Reports unknown fields first, because a misspelt field also looks missing.
void Reader::check_fields(const Json& object, const std::string& path, FieldNames required,
                          FieldNames optional) const {
  check_object(object, path);

  for (const auto& field : object.items()) {
    if (contains_name(required, field.key()) || contains_name(optional, field.key())) continue;
    std::vector<std::string_view> accepted(required.begin(), required.end());
    accepted.insert(accepted.end(), optional.begin(), optional.end());
    fail(field_path(path, field.key()), "unknown field " + in_quotes(field.key()) +
                                            ". The accepted fields are " + join_plain(accepted));
  }

  for (const std::string_view name : required) {
    if (!member(object, name)) {
      fail(field_path(path, name), "missing required field " + in_quotes(name));
    }
  }
}

const std::string& Reader::read_string(const Json& value, const std::string& path) const {
  if (!value.is_string()) fail(path, "expected a string, found " + describe(value));
  return value.get_ref<const std::string&>();
}

std::string Reader::read_name(const Json& value, const std::string& path) const {
  const std::string& name = read_string(value, path);
  if (auto problem = name_problem(name)) fail(path, std::move(*problem));
  return name;
}

std::string Reader::read_node(const Json& value, const std::string& path) const {
  const std::string& node = read_string(value, path);
  if (node.empty()) fail(path, "expected a non-empty manual node, found an empty string");
  return node;
}

std::int64_t Reader::read_integer(const Json& value, const std::string& path, std::int64_t min,
                                  std::int64_t max) const {
  RS_ASSERT(min <= max);
  const std::string expected =
      "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value.is_number_integer()) fail(path, expected + ", found " + describe(value));

  // Checked as unsigned first, because a value above INT64_MAX would wrap in get<int64_t>.
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    fail(path, expected + ", found " + describe(value));
  }
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max) fail(path, expected + ", found " + describe(value));
  return number;
}

const Json& Reader::read_array(const Json& value, const std::string& path, std::string_view noun,
                               std::size_t size_max) const {
  if (!value.is_array()) {
    fail(path, "expected an array of " + std::string(noun) + ", found " + describe(value));
  }
  if (value.size() > size_max) {
    fail(path, "expected at most " + std::to_string(size_max) + " " + std::string(noun) +
                   ", found " + std::to_string(value.size()));
  }
  return value;
}

CompanyId Reader::read_company(const Json& value, const std::string& path) const {
  const std::string& name = read_string(value, path);
  if (const auto company = scenario_.catalog.find_company(name)) return *company;

  std::vector<std::string_view> names;
  for (std::size_t company = 0; company < scenario_.catalog.companies_count(); ++company) {
    names.push_back(scenario_.catalog.company_name(static_cast<CompanyId>(company)));
  }
  fail(path, "expected one of the companies " + join_quoted(names) + ", found " + describe(value));
}

// `company_origin` is the reason why `company` is the expected one, such as "the start company
// of the script", or empty.
ItemId Reader::read_item_of(const Json& value, const std::string& path, CompanyId company,
                            std::string_view company_origin) const {
  const Catalog& catalog = scenario_.catalog;
  const std::string& name = read_string(value, path);
  std::string expected = "expected an item of company " + in_quotes(catalog.company_name(company));
  if (!company_origin.empty()) expected += " (" + std::string(company_origin) + ")";

  const auto item = catalog.find_item(name);
  if (!item) {
    fail(path, expected + ", found " + in_quotes(name) + ", which is no item of any company");
  }
  if (catalog.company_of(*item) != company) {
    fail(path, expected + ", found " + in_quotes(name) + ", an item of company " +
                   in_quotes(catalog.company_name(catalog.company_of(*item))));
  }
  return *item;
}

ClientVariant Reader::read_client(const Json& value, const std::string& path) const {
  const std::string& name = read_string(value, path);
  std::string error;
  auto variant = parse_client_variant(name, &error);
  if (!variant) fail(path, error + ". Expected " + std::string(client_variant_syntax()));
  return std::move(*variant);
}

RangeMs Reader::read_range(const Json& value, const std::string& path) const {
  if (!value.is_array() || value.size() != 2) {
    fail(path, "expected [min, max], an array of two integers in milliseconds, found " +
                   describe(value));
  }
  const TimeMs min_ms = read_integer(value[0], index_path(path, 0), 0, kTimeMsMax);
  const TimeMs max_ms = read_integer(value[1], index_path(path, 1), 0, kTimeMsMax);
  if (min_ms > max_ms) {
    fail(path, "expected min <= max, found [" + std::to_string(min_ms) + ", " +
                   std::to_string(max_ms) + "]");
  }
  return RangeMs{min_ms, max_ms};
}

Status Reader::read_status(const Json& value, const std::string& path) const {
  const std::string& name = read_string(value, path);
  std::vector<std::string_view> names;
  for (const Status status : kStatuses) {
    if (status_name(status) == name) return status;
    names.push_back(status_name(status));
  }
  fail(path, "expected one of " + join_quoted(names) + ", found " + describe(value));
}

void Reader::read_format(const Json& root) const {
  const std::string expected = "expected " + in_quotes(kScenarioFormat) +
                               ", the only format version this build reads";
  const Json* format = member(root, "format");
  if (!format) fail("format", "missing required field \"format\": " + expected);
  if (!format->is_string() || format->get_ref<const std::string&>() != kScenarioFormat) {
    fail("format", expected + ", found " + describe(*format));
  }
}

void Reader::read_companies(const Json& companies) {
  read_array(companies, "companies", "companies", kCompaniesMax);
  if (companies.empty()) fail("companies", "expected at least one company, found an empty array");

  for (std::size_t index = 0; index < companies.size(); ++index) {
    const std::string path = index_path("companies", index);
    const Json& company = companies[index];
    check_fields(company, path, {"name", "items"}, {});

    const std::string name_path = path + ".name";
    std::string name = read_name(company.at("name"), name_path);
    if (const auto existing = scenario_.catalog.find_company(name)) {
      fail(name_path, "expected a company name not used before, found " + in_quotes(name) +
                          ", the name of " + index_path("companies", *existing));
    }
    const CompanyId id = scenario_.catalog.add_company(std::move(name));
    RS_ASSERT(id == index);
    read_items(company.at("items"), path + ".items", id);
  }
}

void Reader::read_items(const Json& items, const std::string& path, CompanyId company) {
  Catalog& catalog = scenario_.catalog;
  read_array(items, path, "item names", kItemsMax);
  if (items.empty()) fail(path, "expected at least one item, found an empty array");

  for (std::size_t index = 0; index < items.size(); ++index) {
    const std::string item_path = index_path(path, index);
    std::string name = read_name(items[index], item_path);

    if (const auto existing = catalog.find_item(name)) {
      // Item names are unique across companies, because a stored value names only its item.
      const CompanyId owner = catalog.company_of(*existing);
      const auto owner_items = catalog.items_of(owner);
      const auto position = std::find(owner_items.begin(), owner_items.end(), *existing) -
                            owner_items.begin();
      fail(item_path, "expected an item name unique across all companies, found " +
                          in_quotes(name) + ", already used at " +
                          index_path(index_path("companies", owner) + ".items",
                                     static_cast<std::size_t>(position)));
    }
    if (catalog.items_count() >= kItemsMax) {
      fail(item_path, "expected at most " + std::to_string(kItemsMax) + " items in all companies");
    }
    catalog.add_item(company, std::move(name));
  }
}

void Reader::read_users(const Json& users) {
  if (users.is_number_integer()) {
    const auto count = static_cast<int>(read_integer(users, "users", 1, kUsersMax));
    scenario_.users_min = count;
    scenario_.users_max = count;
    return;
  }
  if (!users.is_object()) {
    fail("users", "expected an integer from 1 to " + std::to_string(kUsersMax) +
                      " or an object {\"min\": ..., \"max\": ...}, found " + describe(users));
  }

  check_fields(users, "users", {"min", "max"}, {});
  const auto min = static_cast<int>(read_integer(users.at("min"), "users.min", 1, kUsersMax));
  const auto max = static_cast<int>(read_integer(users.at("max"), "users.max", 1, kUsersMax));
  if (min > max) {
    fail("users", "expected min <= max, found min " + std::to_string(min) + " and max " +
                      std::to_string(max));
  }
  scenario_.users_min = min;
  scenario_.users_max = max;
}

void Reader::read_timing(const Json& timing) {
  check_fields(timing, "timing", {},
               {"network_ms", "kv_ms", "save_delay_ms", "think_ms", "poll_interval_ms"});

  const std::pair<std::string_view, RangeMs Scenario::*> ranges[] = {
      {"network_ms", &Scenario::network_ms},
      {"kv_ms", &Scenario::kv_ms},
      {"save_delay_ms", &Scenario::save_delay_ms},
      {"think_ms", &Scenario::think_ms},
  };
  for (const auto& [key, range] : ranges) {
    if (const Json* value = member(timing, key)) {
      scenario_.*range = read_range(*value, field_path("timing", key));
    }
  }
  if (const Json* value = member(timing, "poll_interval_ms")) {
    scenario_.poll_interval_ms =
        read_integer(*value, "timing.poll_interval_ms", kPollIntervalMsMin, kTimeMsMax);
  }
}

void Reader::read_initial(const Json& initial) {
  read_array(initial, "initial", "initial entries", kItemsMax);

  std::vector<std::optional<std::size_t>> entry_of_item(scenario_.catalog.items_count());
  for (std::size_t index = 0; index < initial.size(); ++index) {
    const std::string path = index_path("initial", index);
    InitialEntry entry = read_initial_entry(initial[index], path);

    std::optional<std::size_t>& first = entry_of_item[entry.item];
    if (first) {
      fail(path + ".item", "expected each item at most once, found " +
                               in_quotes(scenario_.catalog.item_name(entry.item)) +
                               ", which " + index_path("initial", *first) + " already sets");
    }
    first = index;
    scenario_.initial.push_back(std::move(entry));
  }
}

InitialEntry Reader::read_initial_entry(const Json& value, const std::string& path) const {
  check_fields(value, path, {"company", "item", "status"}, {"node"});

  InitialEntry entry;
  entry.company = read_company(value.at("company"), path + ".company");
  entry.item = read_item_of(value.at("item"), path + ".item", entry.company, "");
  entry.status = read_status(value.at("status"), path + ".status");

  const Json* node = member(value, "node");
  if (entry.status == Status::manual) {
    if (!node) {
      fail(path + ".node", "missing required field \"node\": a manual entry names its node");
    }
    entry.node = read_node(*node, path + ".node");
  } else if (node) {
    fail(path + ".node", "expected no node on a " + in_quotes(status_name(entry.status)) +
                             " entry. Only \"manual\" entries have one");
  }
  return entry;
}

void Reader::read_workload(const Json& workload) {
  check_fields(workload, "workload", {}, {"scripts", "generated"});
  if (const Json* scripts = member(workload, "scripts")) read_scripts(*scripts, "workload.scripts");
  if (const Json* generated = member(workload, "generated")) {
    scenario_.generated = read_generated(*generated, "workload.generated");
  }
}

void Reader::read_scripts(const Json& scripts, const std::string& path) {
  check_object(scripts, path);

  for (const auto& script : scripts.items()) {
    const std::string script_path = field_path(path, script.key());
    const auto user = parse_user_name(script.key());
    if (!user || *user == kImportUser) {
      fail(script_path, "expected a user from \"u1\" to \"u" + std::to_string(kUsersMax) +
                            "\", found " + in_quotes(script.key()));
    }
    if (*user > scenario_.users_max) {
      const std::string max = std::to_string(scenario_.users_max);
      fail(script_path, "expected a user from \"u1\" to \"u" + max + "\" because users.max is " +
                            max + ", found " + in_quotes(script.key()));
    }
    scenario_.scripts.emplace(*user, read_script(script.value(), script_path));
  }
}

UserScript Reader::read_script(const Json& script, const std::string& path) const {
  check_fields(script, path, {"actions"}, {"start"});

  UserScript result;
  ScriptCursor cursor;
  if (const Json* start = member(script, "start")) {
    result.start_company = read_company(*start, path + ".start");
    cursor.company_origin = "the start company of the script";
  } else {
    result.start_company = 0;
    cursor.company_origin = "the first company, where a script without \"start\" begins";
  }
  cursor.company = result.start_company;

  const std::string actions_path = path + ".actions";
  const Json& actions =
      read_array(script.at("actions"), actions_path, "actions", kScriptActionsMax);
  for (std::size_t index = 0; index < actions.size(); ++index) {
    result.actions.push_back(
        read_action(actions[index], index_path(actions_path, index), index, cursor));
  }
  return result;
}

// Reads one action and moves `cursor` past it. The cursor follows the script statically, so a
// decision is checked against the company its user shows at that point of the script.
Action Reader::read_action(const Json& value, const std::string& path, std::size_t index,
                           ScriptCursor& cursor) const {
  check_object(value, path);
  const std::string names = join_quoted(action_names());
  const Json* kind_value = member(value, "do");
  if (!kind_value) fail(path + ".do", "missing required field \"do\", one of " + names);
  const auto kind = parse_action_kind(read_string(*kind_value, path + ".do"));
  if (!kind) fail(path + ".do", "expected one of " + names + ", found " + describe(*kind_value));
  check_action_fields(value, path, *kind);

  Action action;
  action.kind = *kind;
  if (const Json* after = member(value, "after_ms")) {
    action.after_ms = read_integer(*after, path + ".after_ms", 0, kTimeMsMax);
  }
  const std::string this_action = "actions[" + std::to_string(index) + "]";

  switch (*kind) {
    case ActionKind::switch_company:
      action.company = read_company(value.at("company"), path + ".company");
      cursor.company = action.company;
      cursor.company_origin = "the company shown after " + this_action + " switched to it";
      break;
    case ActionKind::hide_tab:
      if (!cursor.visible) {
        fail(path, "expected a visible tab to hide, found the tab hidden since actions[" +
                       std::to_string(*cursor.last_visibility_change) + "]");
      }
      cursor.visible = false;
      cursor.last_visibility_change = index;
      action.company = cursor.company;  // the company shown when the tab is hidden
      break;
    case ActionKind::show_tab:
      if (cursor.visible) {
        const std::string since =
            cursor.last_visibility_change
                ? "since actions[" + std::to_string(*cursor.last_visibility_change) + "]"
                : "from the start, as every script begins";
        fail(path, "expected a hidden tab to show, found the tab visible " + since);
      }
      cursor.visible = true;
      cursor.last_visibility_change = index;
      action.company = cursor.company;
      break;
    default:
      read_decision(value, path, cursor, action);
      break;
  }
  return action;
}

// Checks the fields of an action of `kind`. A field that belongs to another kind of action,
// such as "node" on an approve, gets its own message, because it usually means a wrong "do".
void Reader::check_action_fields(const Json& value, const std::string& path,
                                 ActionKind kind) const {
  static constexpr std::string_view kDecisionFields[] = {"do", "item"};
  static constexpr std::string_view kManualFields[] = {"do", "item", "node"};
  static constexpr std::string_view kSwitchFields[] = {"do", "company"};
  static constexpr std::string_view kTabFields[] = {"do"};
  static constexpr std::string_view kOptionalFields[] = {"after_ms"};
  static constexpr std::string_view kKindSpecificFields[] = {"item", "node", "company"};

  FieldNames required = kTabFields;
  switch (kind) {
    case ActionKind::approve:
    case ActionKind::reject:
    case ActionKind::clear: required = kDecisionFields; break;
    case ActionKind::manual_match: required = kManualFields; break;
    case ActionKind::switch_company: required = kSwitchFields; break;
    case ActionKind::hide_tab:
    case ActionKind::show_tab: break;
  }

  for (const auto& field : value.items()) {
    const std::string& key = field.key();
    if (contains_name(required, key)) continue;
    if (!contains_name(kKindSpecificFields, key)) continue;  // check_fields reports the rest
    std::vector<std::string_view> accepted(required.begin(), required.end());
    accepted.push_back("after_ms");
    fail(field_path(path, key), in_quotes(key) + " does not apply to the action " +
                                    in_quotes(action_kind_name(kind)) + ", whose fields are " +
                                    join_plain(accepted));
  }
  check_fields(value, path, required, kOptionalFields);
}

void Reader::read_decision(const Json& value, const std::string& path,
                           const ScriptCursor& cursor, Action& action) const {
  RS_ASSERT(is_decision(action.kind));
  if (!cursor.visible) {
    fail(path, "expected a visible tab for a decision, found the tab hidden since actions[" +
                   std::to_string(*cursor.last_visibility_change) + "]");
  }
  action.item =
      read_item_of(value.at("item"), path + ".item", cursor.company, cursor.company_origin);
  action.company = cursor.company;
  if (action.kind == ActionKind::manual_match) {
    action.node = read_node(value.at("node"), path + ".node");
  }
}

GeneratedWorkload Reader::read_generated(const Json& generated, const std::string& path) const {
  check_fields(generated, path, {"actions", "weights"}, {});

  GeneratedWorkload result;
  result.actions_count = static_cast<int>(
      read_integer(generated.at("actions"), path + ".actions", 1, kGeneratedActionsMax));

  const std::string weights_path = path + ".weights";
  const Json& weights = generated.at("weights");
  check_object(weights, weights_path);
  const std::vector<std::string_view> weighted = {"approve", "reject", "manual",
                                                  "clear", "switch", "hide"};
  for (const auto& weight : weights.items()) {
    const std::string weight_path = field_path(weights_path, weight.key());
    const auto kind = parse_action_kind(weight.key());
    if (kind == ActionKind::show_tab) {
      fail(weight_path, "\"show\" takes no weight, because every generated hide is followed "
                        "later by a show");
    }
    if (!kind) {
      fail(weight_path, "unknown field " + in_quotes(weight.key()) +
                            ". The accepted fields are " + join_plain(weighted));
    }
    result.weights[static_cast<std::size_t>(*kind)] =
        static_cast<std::uint32_t>(read_integer(weight.value(), weight_path, 0, kWeightMax));
  }

  bool any_decision = false;
  for (int index = 0; index < kActionKindCount; ++index) {
    if (!is_decision(static_cast<ActionKind>(index))) continue;
    if (result.weights[index] > 0) any_decision = true;
  }
  if (!any_decision) {
    fail(weights_path, "expected a positive weight for at least one decision (approve, reject, "
                       "manual or clear), found none");
  }
  return result;
}

void Reader::read_expectations(const Json& expect) {
  read_array(expect, "expect", "expectations", kExpectationsMax);

  std::vector<ClientVariant> clients;
  for (std::size_t index = 0; index < expect.size(); ++index) {
    const std::string path = index_path("expect", index);
    const Json& entry = expect[index];
    check_fields(entry, path, {"strategy", "client", "anomalies"}, {"explorer"});

    Expectation expectation;
    const Json& strategy = entry.at("strategy");
    expectation.strategy = read_string(strategy, path + ".strategy");
    const auto strategies = strategy_names();
    if (std::find(strategies.begin(), strategies.end(), expectation.strategy) == strategies.end()) {
      fail(path + ".strategy", "expected one of " + join_quoted(strategies) + ", found " +
                                   describe(strategy));
    }
    ClientVariant client = read_client(entry.at("client"), path + ".client");
    expectation.client = client.name;
    if (const Json* explorer = member(entry, "explorer")) {
      expectation.explorer = read_string(*explorer, path + ".explorer");
      if (expectation.explorer != "timed" && expectation.explorer != "random") {
        fail(path + ".explorer", "expected \"timed\" or \"random\", found " + describe(*explorer));
      }
    }
    read_anomalies(entry.at("anomalies"), path + ".anomalies", expectation);

    // Two names for the same flags, such as "fixed" and its flags spelt out, run the same code.
    // An entry without an explorer covers both, so it overlaps with any other.
    for (std::size_t earlier = 0; earlier < index; ++earlier) {
      const Expectation& other = scenario_.expectations[earlier];
      if (other.strategy != expectation.strategy) continue;
      if (!same_flags(clients[earlier], client)) continue;
      if (!other.explorer.empty() && !expectation.explorer.empty() &&
          other.explorer != expectation.explorer) {
        continue;
      }
      fail(path, "expected one entry per strategy and client, found a second entry for " +
                     in_quotes(expectation.strategy) + " with client " + in_quotes(client.name) +
                     ", which has the same flags as " + in_quotes(clients[earlier].name) + " in " +
                     index_path("expect", earlier));
    }
    clients.push_back(std::move(client));
    scenario_.expectations.push_back(std::move(expectation));
  }
}

void Reader::read_anomalies(const Json& value, const std::string& path,
                            Expectation& expectation) const {
  if (value.is_string() && value.get_ref<const std::string&>() == "none") {
    expectation.clean = true;
    return;
  }
  const std::string names = join_quoted(anomaly_names());
  if (!value.is_array() || value.empty()) {
    fail(path, "expected \"none\" or a non-empty array of anomaly kinds (" + names +
                   "), found " + describe(value));
  }

  for (std::size_t index = 0; index < value.size(); ++index) {
    const std::string kind_path = index_path(path, index);
    const auto kind = parse_anomaly_kind(read_string(value[index], kind_path));
    if (!kind) fail(kind_path, "expected one of " + names + ", found " + describe(value[index]));
    const auto& kinds = expectation.kinds;
    const auto earlier = std::find(kinds.begin(), kinds.end(), *kind);
    if (earlier != kinds.end()) {
      fail(kind_path, "expected each anomaly kind at most once, found " + describe(value[index]) +
                          " again after " +
                          index_path(path, static_cast<std::size_t>(earlier - kinds.begin())));
    }
    expectation.kinds.push_back(*kind);
  }
}

std::string read_file(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error) throw ScenarioError(file, "", "cannot read the scenario file: " + error.message());
  if (!std::filesystem::is_regular_file(status)) {
    throw ScenarioError(file, "", "expected a regular file, found a directory or a special file");
  }
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw ScenarioError(file, "", "cannot read the scenario file: " + error.message());
  if (size > kFileSizeMax) {
    throw ScenarioError(file, "", "expected a scenario file of at most " +
                                      std::to_string(kFileSizeMax) + " bytes, found " +
                                      std::to_string(size) + " bytes");
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError(file, "",
                        "cannot open the scenario file: " + std::string(std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ScenarioError(file, "", "cannot read the scenario file: read failed");
  return std::move(text).str();
}

}  // namespace

ScenarioError::ScenarioError(std::string file, std::string field, std::string problem)
    : std::runtime_error(error_text(file, field, problem)),
      file_(std::move(file)),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

Scenario parse_scenario(std::string_view json_text, const std::string& source) {
  const Json root = parse_json(json_text, source);
  return Reader(source).read(root);
}

Scenario load_scenario_file(const std::filesystem::path& path) {
  return parse_scenario(read_file(path), path.string());
}

std::vector<std::filesystem::path> scenario_files_in(const std::filesystem::path& directory) {
  const std::string name = directory.string();
  std::error_code error;
  const auto status = std::filesystem::status(directory, error);
  if (!std::filesystem::exists(status)) {
    throw ScenarioError(name, "", "scenario directory not found");
  }
  if (!std::filesystem::is_directory(status)) {
    throw ScenarioError(name, "", "expected a directory of scenario files, found a file");
  }

  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator entry(directory, error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    std::error_code type_error;
    if (!entry->is_regular_file(type_error)) continue;
    if (entry->path().extension() != ".json") continue;
    files.push_back(entry->path());
  }
  if (error) throw ScenarioError(name, "", "cannot list the directory: " + error.message());

  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a.filename().string() < b.filename().string();
  });
  return files;
}

}  // namespace reviewsim
