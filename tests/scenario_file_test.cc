#include "adapters/scenario_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace reviewsim {
namespace {

// Uses every section of the format. Each error case below changes one unique snippet of it.
constexpr std::string_view kFullScenario = R"({
  "format": "reviewsim-scenario/1",
  "name": "incident-wrong-company",
  "description": "u1 switches company while a save is pending",
  "companies": [
    {"name": "astrazeneca", "items": ["az-1", "az-2"]},
    {"name": "abbvie", "items": ["ab-1"]}
  ],
  "users": {"min": 2, "max": 3},
  "client": "fixed",
  "timing": {
    "network_ms": [5, 80],
    "kv_ms": [1, 3],
    "save_delay_ms": [300, 1500],
    "think_ms": [500, 4000],
    "poll_interval_ms": 5000
  },
  "initial": [
    {"company": "astrazeneca", "item": "az-1", "status": "rejected"},
    {"company": "abbvie", "item": "ab-1", "status": "manual", "node": "N-4"}
  ],
  "workload": {
    "scripts": {
      "u1": {
        "start": "astrazeneca",
        "actions": [
          {"do": "approve", "item": "az-1", "after_ms": 100},
          {"do": "switch", "company": "abbvie"},
          {"do": "manual", "item": "ab-1", "node": "N-7"},
          {"do": "hide"},
          {"do": "show"},
          {"do": "clear", "item": "ab-1"},
          {"do": "reject", "item": "ab-1"}
        ]
      },
      "u2": {"actions": [{"do": "reject", "item": "az-2", "after_ms": 0}]}
    },
    "generated": {
      "actions": 8,
      "weights": {"approve": 5, "reject": 2, "manual": 1, "clear": 1, "switch": 2, "hide": 1}
    }
  },
  "expect": [
    {"strategy": "full-overwrite", "client": "legacy", "anomalies": ["lost-update", "wrong-company-write"]},
    {"strategy": "hset-multi", "client": "fixed", "anomalies": "none"}
  ]
})";

// Only the required fields.
constexpr std::string_view kMinimalScenario = R"({
  "format": "reviewsim-scenario/1",
  "name": "minimal",
  "companies": [{"name": "acme", "items": ["a-1"]}],
  "users": 2,
  "workload": {}
})";

std::optional<ScenarioError> error_of(std::string_view text) {
  try {
    parse_scenario(text, "test.json");
  } catch (const ScenarioError& error) {
    return error;
  }
  return std::nullopt;
}

// Replaces the one occurrence of `from` in `text`.
std::string replaced(std::string_view text, std::string_view from, std::string_view to) {
  std::string result(text);
  const auto at = result.find(from);
  EXPECT_NE(at, std::string::npos) << "snippet not found: " << from;
  if (at == std::string::npos) return result;
  EXPECT_EQ(result.find(from, at + 1), std::string::npos) << "snippet not unique: " << from;
  result.replace(at, from.size(), to);
  return result;
}

TEST(ScenarioFile, FullScenarioCatalog) {
  const Scenario scenario = parse_scenario(kFullScenario, "full.json");

  EXPECT_EQ(scenario.name, "incident-wrong-company");
  EXPECT_EQ(scenario.description, "u1 switches company while a save is pending");
  ASSERT_EQ(scenario.catalog.companies_count(), 2u);
  EXPECT_EQ(scenario.catalog.company_name(0), "astrazeneca");
  EXPECT_EQ(scenario.catalog.company_name(1), "abbvie");
  ASSERT_EQ(scenario.catalog.items_count(), 3u);
  EXPECT_EQ(scenario.catalog.item_name(0), "az-1");
  EXPECT_EQ(scenario.catalog.item_name(1), "az-2");
  EXPECT_EQ(scenario.catalog.item_name(2), "ab-1");
  EXPECT_EQ(scenario.catalog.company_of(1), 0);
  EXPECT_EQ(scenario.catalog.company_of(2), 1);
  EXPECT_EQ(scenario.catalog.items_of(0).size(), 2u);
  EXPECT_EQ(scenario.catalog.items_of(1).size(), 1u);
}

TEST(ScenarioFile, FullScenarioSettings) {
  const Scenario scenario = parse_scenario(kFullScenario, "full.json");

  EXPECT_EQ(scenario.users_min, 2);
  EXPECT_EQ(scenario.users_max, 3);
  EXPECT_EQ(scenario.client, "fixed");
  EXPECT_EQ(scenario.network_ms.min_ms, 5);
  EXPECT_EQ(scenario.network_ms.max_ms, 80);
  EXPECT_EQ(scenario.kv_ms.min_ms, 1);
  EXPECT_EQ(scenario.kv_ms.max_ms, 3);
  EXPECT_EQ(scenario.save_delay_ms.min_ms, 300);
  EXPECT_EQ(scenario.save_delay_ms.max_ms, 1500);
  EXPECT_EQ(scenario.think_ms.min_ms, 500);
  EXPECT_EQ(scenario.think_ms.max_ms, 4000);
  EXPECT_EQ(scenario.poll_interval_ms, 5000);
}

TEST(ScenarioFile, FullScenarioInitial) {
  const Scenario scenario = parse_scenario(kFullScenario, "full.json");

  ASSERT_EQ(scenario.initial.size(), 2u);
  EXPECT_EQ(scenario.initial[0].company, 0);
  EXPECT_EQ(scenario.initial[0].item, 0);
  EXPECT_EQ(scenario.initial[0].status, Status::rejected);
  EXPECT_EQ(scenario.initial[0].node, "");
  EXPECT_EQ(scenario.initial[1].company, 1);
  EXPECT_EQ(scenario.initial[1].item, 2);
  EXPECT_EQ(scenario.initial[1].status, Status::manual);
  EXPECT_EQ(scenario.initial[1].node, "N-4");
}

TEST(ScenarioFile, FullScenarioScripts) {
  const Scenario scenario = parse_scenario(kFullScenario, "full.json");

  ASSERT_EQ(scenario.scripts.size(), 2u);
  ASSERT_TRUE(scenario.scripts.contains(1));
  const UserScript& u1 = scenario.scripts.at(1);
  EXPECT_EQ(u1.start_company, 0);
  ASSERT_EQ(u1.actions.size(), 7u);

  EXPECT_EQ(u1.actions[0].kind, ActionKind::approve);
  EXPECT_EQ(u1.actions[0].item, 0);
  EXPECT_EQ(u1.actions[0].company, 0);
  EXPECT_EQ(u1.actions[0].after_ms, std::optional<TimeMs>(100));

  EXPECT_EQ(u1.actions[1].kind, ActionKind::switch_company);
  EXPECT_EQ(u1.actions[1].company, 1);
  EXPECT_EQ(u1.actions[1].after_ms, std::nullopt);

  EXPECT_EQ(u1.actions[2].kind, ActionKind::manual_match);
  EXPECT_EQ(u1.actions[2].item, 2);
  EXPECT_EQ(u1.actions[2].company, 1);
  EXPECT_EQ(u1.actions[2].node, "N-7");

  EXPECT_EQ(u1.actions[3].kind, ActionKind::hide_tab);
  EXPECT_EQ(u1.actions[4].kind, ActionKind::show_tab);
  EXPECT_EQ(u1.actions[5].kind, ActionKind::clear);
  EXPECT_EQ(u1.actions[5].item, 2);
  EXPECT_EQ(u1.actions[6].kind, ActionKind::reject);
  EXPECT_EQ(u1.actions[6].node, "");

  ASSERT_TRUE(scenario.scripts.contains(2));
  const UserScript& u2 = scenario.scripts.at(2);
  EXPECT_EQ(u2.start_company, 0);
  ASSERT_EQ(u2.actions.size(), 1u);
  EXPECT_EQ(u2.actions[0].item, 1);
  EXPECT_EQ(u2.actions[0].after_ms, std::optional<TimeMs>(0));
}

TEST(ScenarioFile, FullScenarioGenerated) {
  const Scenario scenario = parse_scenario(kFullScenario, "full.json");

  ASSERT_TRUE(scenario.generated.has_value());
  const GeneratedWorkload& generated = *scenario.generated;
  EXPECT_EQ(generated.actions_count, 8);
  const auto weight = [&](ActionKind kind) {
    return generated.weights[static_cast<std::size_t>(kind)];
  };
  EXPECT_EQ(weight(ActionKind::approve), 5u);
  EXPECT_EQ(weight(ActionKind::reject), 2u);
  EXPECT_EQ(weight(ActionKind::manual_match), 1u);
  EXPECT_EQ(weight(ActionKind::clear), 1u);
  EXPECT_EQ(weight(ActionKind::switch_company), 2u);
  EXPECT_EQ(weight(ActionKind::hide_tab), 1u);
  EXPECT_EQ(weight(ActionKind::show_tab), 0u);
}

TEST(ScenarioFile, FullScenarioExpectations) {
  const Scenario scenario = parse_scenario(kFullScenario, "full.json");

  ASSERT_EQ(scenario.expectations.size(), 2u);
  const Expectation& first = scenario.expectations[0];
  EXPECT_EQ(first.strategy, "full-overwrite");
  EXPECT_EQ(first.client, "legacy");
  EXPECT_FALSE(first.clean);
  ASSERT_EQ(first.kinds.size(), 2u);
  EXPECT_EQ(first.kinds[0], AnomalyKind::lost_update);
  EXPECT_EQ(first.kinds[1], AnomalyKind::wrong_company_write);

  const Expectation& second = scenario.expectations[1];
  EXPECT_EQ(second.strategy, "hset-multi");
  EXPECT_EQ(second.client, "fixed");
  EXPECT_TRUE(second.clean);
  EXPECT_TRUE(second.kinds.empty());
}

TEST(ScenarioFile, MinimalScenarioDefaults) {
  const Scenario scenario = parse_scenario(kMinimalScenario, "minimal.json");
  const Scenario defaults;

  EXPECT_EQ(scenario.description, "");
  EXPECT_EQ(scenario.users_min, 2);
  EXPECT_EQ(scenario.users_max, 2);
  EXPECT_EQ(scenario.client, "legacy");
  EXPECT_EQ(scenario.network_ms.min_ms, defaults.network_ms.min_ms);
  EXPECT_EQ(scenario.network_ms.max_ms, defaults.network_ms.max_ms);
  EXPECT_EQ(scenario.think_ms.max_ms, defaults.think_ms.max_ms);
  EXPECT_EQ(scenario.poll_interval_ms, defaults.poll_interval_ms);
  EXPECT_TRUE(scenario.initial.empty());
  EXPECT_TRUE(scenario.scripts.empty());
  EXPECT_FALSE(scenario.generated.has_value());
  EXPECT_TRUE(scenario.expectations.empty());
}

TEST(ScenarioFile, PartialTimingKeepsDefaults) {
  const std::string text =
      replaced(kMinimalScenario, R"("users": 2,)", R"("users": 2, "timing": {"kv_ms": [4, 9]},)");
  const Scenario scenario = parse_scenario(text, "timing.json");
  const Scenario defaults;

  EXPECT_EQ(scenario.kv_ms.min_ms, 4);
  EXPECT_EQ(scenario.kv_ms.max_ms, 9);
  EXPECT_EQ(scenario.network_ms.min_ms, defaults.network_ms.min_ms);
  EXPECT_EQ(scenario.save_delay_ms.max_ms, defaults.save_delay_ms.max_ms);
}

TEST(ScenarioFile, ClientWithFlags) {
  const std::string text =
      replaced(kMinimalScenario, R"("users": 2,)", R"("users": 2, "client": "legacy+poll",)");
  EXPECT_EQ(parse_scenario(text, "client.json").client, "legacy+poll");
}

TEST(ScenarioFile, SwitchWhileHiddenAllowed) {
  // A hidden tab makes no decisions, but a switch while hidden is allowed: the client model
  // changes the dropdown and, if it polls, loads the company when the tab is shown again.
  const std::string text = replaced(kFullScenario, R"({"do": "switch", "company": "abbvie"},)",
                                    R"({"do": "hide"}, {"do": "switch", "company": "abbvie"},
                                       {"do": "show"},)");
  const Scenario scenario = parse_scenario(text, "hidden.json");
  EXPECT_EQ(scenario.scripts.at(1).actions.size(), 9u);
}

TEST(ScenarioFile, ErrorWhatNamesFileAndField) {
  const ScenarioError error("a.json", "users.min", "expected an integer");
  EXPECT_STREQ(error.what(), "a.json: field users.min: expected an integer");
}

TEST(ScenarioFile, ErrorWhatWithoutField) {
  const ScenarioError error("a.json", "", "file not found");
  EXPECT_STREQ(error.what(), "a.json: file not found");
}

TEST(ScenarioFile, ErrorNamesSource) {
  const auto error = error_of(replaced(kMinimalScenario, R"("users": 2)", R"("users": 9)"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->file(), "test.json");
  EXPECT_EQ(std::string(error->what()).rfind("test.json: field users: ", 0), 0u) << error->what();
}

TEST(ScenarioFile, SyntaxErrorLineColumn) {
  // The trailing comma makes the "}" on line 5, column 1 unexpected.
  const auto error = error_of("{\n  \"format\": \"reviewsim-scenario/1\",\n  \"name\": \"x\",\n"
                              "  \"users\": 2,\n}\n");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field(), "");
  EXPECT_NE(error->problem().find("invalid JSON at line 5, column 1"), std::string::npos)
      << error->problem();
}

TEST(ScenarioFile, SyntaxErrorMidLine) {
  const auto error = error_of("{\"format\": tru}");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->problem().find("line 1, column 15"), std::string::npos) << error->problem();
}

TEST(ScenarioFile, SyntaxErrorAtEnd) {
  const auto error = error_of("{\n  \"format\": \"reviewsim-scenario/1\"\n");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->problem().find("invalid JSON at line 3"), std::string::npos) << error->problem();
}

TEST(ScenarioFile, EmptyText) {
  const auto error = error_of("");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->problem().find("invalid JSON at line 1, column 1"), std::string::npos)
      << error->problem();
}

TEST(ScenarioFile, NumberOverflow) {
  const auto error = error_of("{\"format\": 1e999}");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->problem().find("invalid JSON"), std::string::npos) << error->problem();
}

TEST(ScenarioFile, TopLevelArray) {
  const auto error = error_of("[]");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field(), "");
  EXPECT_NE(error->problem().find("expected a JSON object at the top level"), std::string::npos)
      << error->problem();
}

// One rule violation: `from` in the base text becomes `to`, and the error must name `field`
// and contain `phrase`.
struct ErrorCase {
  const char* name;
  std::string_view base;
  std::string_view from;
  std::string_view to;
  std::string_view field;
  std::string_view phrase;
};

void PrintTo(const ErrorCase& error_case, std::ostream* out) { *out << error_case.name; }

class ScenarioFileError : public testing::TestWithParam<ErrorCase> {};

TEST_P(ScenarioFileError, NamesFieldAndProblem) {
  const ErrorCase& error_case = GetParam();
  const auto error = error_of(replaced(error_case.base, error_case.from, error_case.to));

  ASSERT_TRUE(error.has_value()) << "the scenario parsed without an error";
  EXPECT_EQ(error->field(), error_case.field) << error->what();
  EXPECT_NE(error->problem().find(error_case.phrase), std::string::npos) << error->what();
}

constexpr std::string_view kFull = kFullScenario;
constexpr std::string_view kMinimal = kMinimalScenario;

const ErrorCase kFormatCases[] = {
    {"FormatOtherVersion", kFull, R"("reviewsim-scenario/1")", R"("reviewsim-scenario/2")",
     "format", "the only format version this build reads"},
    {"FormatNotString", kFull, R"("reviewsim-scenario/1")", "1", "format",
     "reviewsim-scenario/1"},
    {"FormatMissing", kFull, R"("format": "reviewsim-scenario/1",)", "", "format",
     "missing required field"},
    {"DuplicateKey", kFull, R"("u2": {"actions")", R"("u1": {"actions")", "workload.scripts.u1",
     "appears twice"},
    {"DuplicateTopKey", kMinimal, R"("users": 2,)", R"("users": 2, "users": 3,)", "users",
     "appears twice"},
};
INSTANTIATE_TEST_SUITE_P(Format, ScenarioFileError, testing::ValuesIn(kFormatCases),
                         [](const auto& info) { return std::string(info.param.name); });

// The top-level "client" line. The "timing" after it makes it differ from the "client" fields
// of "expect".
constexpr std::string_view kClientLine = R"("client": "fixed",
  "timing")";

const ErrorCase kTopLevelCases[] = {
    {"NameMissing", kMinimal, R"("name": "minimal",)", "", "name", "missing required field"},
    {"CompaniesMissing", kMinimal, R"("companies": [{"name": "acme", "items": ["a-1"]}],)", "",
     "companies", "missing required field"},
    {"UsersMissing", kMinimal, R"("users": 2,)", "", "users", "missing required field"},
    {"WorkloadMissing", kMinimal, R"(,
  "workload": {})", "", "workload", "missing required field"},
    {"UnknownTopField", kFull, kClientLine, R"("clinet": "fixed", "timing")", "clinet",
     "unknown field \"clinet\""},
    {"UnknownTopFieldListsAccepted", kFull, kClientLine, R"("clinet": "fixed", "timing")",
     "clinet", "The accepted fields are format, name, companies, users, workload, description"},
    {"DescriptionNotString", kFull,
     R"("description": "u1 switches company while a save is pending")", R"("description": 5)",
     "description", "expected a string, found 5"},
};
INSTANTIATE_TEST_SUITE_P(TopLevel, ScenarioFileError, testing::ValuesIn(kTopLevelCases),
                         [](const auto& info) { return std::string(info.param.name); });

const ErrorCase kNameCases[] = {
    {"ScenarioNameSpace", kFull, R"("incident-wrong-company")", R"("incident wrong")", "name",
     "whose byte 9 is outside that set"},
    {"CompanyNameEmpty", kFull, R"({"name": "abbvie")", R"({"name": "")", "companies[1].name",
     "found an empty string"},
    {"CompanyNameTooLong", kFull, R"({"name": "abbvie")",
     R"({"name": "abbvie-abbvie-abbvie-abbvie-abbvie-abbvie-abbvie-abbvie-abbvie-ab")",
     "companies[1].name", "found a name of 65 bytes"},
    {"CompanyNameNotString", kFull, R"({"name": "abbvie")", R"({"name": ["abbvie"])",
     "companies[1].name", "expected a string, found an array of 1 element"},
    {"ItemNameSlash", kFull, R"(["az-1", "az-2"])", R"(["az-1", "az/2"])",
     "companies[0].items[1]", "outside that set"},
    {"ItemNameNonAscii", kFull, R"(["az-1", "az-2"])", R"(["az-1", "az-\u00e9"])",
     "companies[0].items[1]", "whose byte 4 is outside that set"},
    {"CompanyNameTwice", kFull, R"({"name": "abbvie")", R"({"name": "astrazeneca")",
     "companies[1].name", "the name of companies[0]"},
    {"ItemInTwoCompanies", kFull, R"("items": ["ab-1"])", R"("items": ["ab-1", "az-2"])",
     "companies[1].items[1]", "already used at companies[0].items[1]"},
    {"ItemTwiceInCompany", kFull, R"(["az-1", "az-2"])", R"(["az-1", "az-1"])",
     "companies[0].items[1]", "already used at companies[0].items[0]"},
    {"CompaniesEmpty", kMinimal, R"([{"name": "acme", "items": ["a-1"]}])", "[]", "companies",
     "expected at least one company"},
    {"CompaniesNotArray", kMinimal, R"([{"name": "acme", "items": ["a-1"]}])",
     R"({"name": "acme", "items": ["a-1"]})", "companies", "expected an array of companies"},
    {"ItemsEmpty", kMinimal, R"(["a-1"])", "[]", "companies[0].items",
     "expected at least one item"},
    {"ItemsMissing", kMinimal, R"(, "items": ["a-1"])", "", "companies[0].items",
     "missing required field"},
    {"CompanyUnknownField", kFull, R"({"name": "abbvie", "items")", R"({"name": "abbvie", "item")",
     "companies[1].item", "unknown field"},
};
INSTANTIATE_TEST_SUITE_P(Names, ScenarioFileError, testing::ValuesIn(kNameCases),
                         [](const auto& info) { return std::string(info.param.name); });

const ErrorCase kUsersCases[] = {
    {"UsersSix", kMinimal, R"("users": 2)", R"("users": 6)", "users", "from 1 to 5"},
    {"UsersZero", kMinimal, R"("users": 2)", R"("users": 0)", "users", "from 1 to 5"},
    {"UsersString", kMinimal, R"("users": 2)", R"("users": "2")", "users",
     "an integer from 1 to 5 or an object"},
    {"UsersMinAboveMax", kFull, R"({"min": 2, "max": 3})", R"({"min": 3, "max": 2})", "users",
     "expected min <= max, found min 3 and max 2"},
    {"UsersMaxSix", kFull, R"({"min": 2, "max": 3})", R"({"min": 2, "max": 6})", "users.max",
     "from 1 to 5"},
    {"UsersMinZero", kFull, R"({"min": 2, "max": 3})", R"({"min": 0, "max": 3})", "users.min",
     "from 1 to 5"},
    {"UsersMinMissing", kFull, R"({"min": 2, "max": 3})", R"({"max": 3})", "users.min",
     "missing required field"},
    {"UsersUnknownField", kFull, R"({"min": 2, "max": 3})", R"({"min": 2, "max": 3, "count": 3})",
     "users.count", "unknown field"},
};
INSTANTIATE_TEST_SUITE_P(Users, ScenarioFileError, testing::ValuesIn(kUsersCases),
                         [](const auto& info) { return std::string(info.param.name); });

const ErrorCase kClientAndTimingCases[] = {
    {"ClientUnknown", kFull, kClientLine, R"("client": "modern", "timing")", "client",
     "unknown client variant \"modern\""},
    {"ClientBadFlag", kFull, kClientLine, R"("client": "legacy+turbo", "timing")", "client",
     "unknown client flag \"turbo\""},
    {"ClientNotString", kFull, kClientLine, R"("client": null, "timing")", "client",
     "expected a string, found null"},
    {"TimingUnknownField", kFull, R"("poll_interval_ms": 5000)", R"("poll_ms": 5000)",
     "timing.poll_ms", "unknown field"},
    {"TimingNotObject", kMinimal, R"("users": 2,)", R"("users": 2, "timing": [],)", "timing",
     "expected an object, found an empty array"},
    {"RangeMinAboveMax", kFull, R"("network_ms": [5, 80])", R"("network_ms": [80, 5])",
     "timing.network_ms", "expected min <= max, found [80, 5]"},
    {"RangeOneElement", kFull, R"("kv_ms": [1, 3])", R"("kv_ms": [1])", "timing.kv_ms",
     "an array of two integers"},
    {"RangeNotArray", kFull, R"("kv_ms": [1, 3])", R"("kv_ms": 3)", "timing.kv_ms",
     "an array of two integers"},
    {"RangeNegative", kFull, R"("save_delay_ms": [300, 1500])", R"("save_delay_ms": [-1, 1500])",
     "timing.save_delay_ms[0]", "from 0 to 3600000"},
    {"RangeAboveHour", kFull, R"("think_ms": [500, 4000])", R"("think_ms": [500, 3600001])",
     "timing.think_ms[1]", "from 0 to 3600000"},
    {"RangeFraction", kFull, R"("kv_ms": [1, 3])", R"("kv_ms": [1.5, 3])", "timing.kv_ms[0]",
     "found 1.5"},
    {"RangeHuge", kFull, R"("kv_ms": [1, 3])", R"("kv_ms": [1, 18446744073709551615])",
     "timing.kv_ms[1]", "from 0 to 3600000"},
    {"PollIntervalShort", kFull, R"("poll_interval_ms": 5000)", R"("poll_interval_ms": 99)",
     "timing.poll_interval_ms", "from 100 to 3600000"},
    {"PollIntervalLong", kFull, R"("poll_interval_ms": 5000)", R"("poll_interval_ms": 3600001)",
     "timing.poll_interval_ms", "from 100 to 3600000"},
};
INSTANTIATE_TEST_SUITE_P(ClientAndTiming, ScenarioFileError,
                         testing::ValuesIn(kClientAndTimingCases),
                         [](const auto& info) { return std::string(info.param.name); });

constexpr std::string_view kInitialRejected =
    R"({"company": "astrazeneca", "item": "az-1", "status": "rejected"})";
constexpr std::string_view kInitialManual =
    R"({"company": "abbvie", "item": "ab-1", "status": "manual", "node": "N-4"})";

const ErrorCase kInitialCases[] = {
    {"InitialUnknownCompany", kFull, kInitialRejected,
     R"({"company": "pfizer", "item": "az-1", "status": "rejected"})", "initial[0].company",
     "expected one of the companies \"astrazeneca\", \"abbvie\", found \"pfizer\""},
    {"InitialItemOfOther", kFull, kInitialRejected,
     R"({"company": "astrazeneca", "item": "ab-1", "status": "rejected"})", "initial[0].item",
     "found \"ab-1\", an item of company \"abbvie\""},
    {"InitialUnknownItem", kFull, kInitialRejected,
     R"({"company": "astrazeneca", "item": "zz-9", "status": "rejected"})", "initial[0].item",
     "which is no item of any company"},
    {"InitialBadStatus", kFull, kInitialRejected,
     R"({"company": "astrazeneca", "item": "az-1", "status": "reject"})", "initial[0].status",
     "expected one of \"approved\", \"rejected\", \"manual\", found \"reject\""},
    {"InitialManualNoNode", kFull, kInitialManual,
     R"({"company": "abbvie", "item": "ab-1", "status": "manual"})", "initial[1].node",
     "missing required field"},
    {"InitialManualEmptyNode", kFull, kInitialManual,
     R"({"company": "abbvie", "item": "ab-1", "status": "manual", "node": ""})",
     "initial[1].node", "expected a non-empty manual node"},
    {"InitialNodeOnRejected", kFull, kInitialRejected,
     R"({"company": "astrazeneca", "item": "az-1", "status": "rejected", "node": "N-1"})",
     "initial[0].node", "Only \"manual\" entries have one"},
    {"InitialItemTwice", kFull, kInitialManual,
     R"({"company": "astrazeneca", "item": "az-1", "status": "approved"})", "initial[1].item",
     "which initial[0] already sets"},
    {"InitialUnknownField", kFull, kInitialRejected,
     R"({"company": "astrazeneca", "item": "az-1", "status": "rejected", "by": "u1"})",
     "initial[0].by", "unknown field"},
    {"InitialStatusMissing", kFull, kInitialRejected,
     R"({"company": "astrazeneca", "item": "az-1"})", "initial[0].status",
     "missing required field"},
    {"InitialNotArray", kMinimal, R"("users": 2,)", R"("users": 2, "initial": {},)", "initial",
     "expected an array of initial entries"},
};
INSTANTIATE_TEST_SUITE_P(Initial, ScenarioFileError, testing::ValuesIn(kInitialCases),
                         [](const auto& info) { return std::string(info.param.name); });

constexpr std::string_view kApprove = R"({"do": "approve", "item": "az-1", "after_ms": 100})";
constexpr std::string_view kSwitch = R"({"do": "switch", "company": "abbvie"})";
constexpr std::string_view kManual = R"({"do": "manual", "item": "ab-1", "node": "N-7"})";
constexpr std::string_view kHide = R"({"do": "hide"})";
constexpr std::string_view kShow = R"({"do": "show"})";
constexpr std::string_view kClear = R"({"do": "clear", "item": "ab-1"})";
constexpr std::string_view kU2Script =
    R"("u2": {"actions": [{"do": "reject", "item": "az-2", "after_ms": 0}]})";

const ErrorCase kScriptCases[] = {
    {"ScriptUnknownUser", kFull, R"("u2": {)", R"("bob": {)", "workload.scripts.bob",
     "expected a user from \"u1\" to \"u5\", found \"bob\""},
    {"ScriptImportUser", kFull, R"("u2": {)", R"("import": {)", "workload.scripts.import",
     "expected a user from \"u1\" to \"u5\""},
    {"ScriptUserSix", kFull, R"("u2": {)", R"("u6": {)", "workload.scripts.u6",
     "expected a user from \"u1\" to \"u5\""},
    {"ScriptUserAboveMax", kFull, R"("u2": {)", R"("u4": {)", "workload.scripts.u4",
     "because users.max is 3"},
    {"ScriptsNotObject", kMinimal, R"("workload": {})", R"("workload": {"scripts": []})",
     "workload.scripts", "expected an object"},
    {"ScriptUnknownField", kFull, kU2Script, R"("u2": {"actions": [], "begin": "abbvie"})",
     "workload.scripts.u2.begin", "unknown field"},
    {"ScriptActionsMissing", kFull, kU2Script, R"("u2": {"start": "abbvie"})",
     "workload.scripts.u2.actions", "missing required field"},
    {"ScriptUnknownStart", kFull, R"("start": "astrazeneca")", R"("start": "pfizer")",
     "workload.scripts.u1.start", "expected one of the companies"},
    {"ItemNotInSwitchedCompany", kFull, kClear, R"({"do": "clear", "item": "az-2"})",
     "workload.scripts.u1.actions[5].item",
     "expected an item of company \"abbvie\" (the company shown after actions[1] switched to "
     "it), found \"az-2\""},
    {"ItemNotInStartCompany", kFull, R"("start": "astrazeneca")", R"("start": "abbvie")",
     "workload.scripts.u1.actions[0].item",
     "expected an item of company \"abbvie\" (the start company of the script), found \"az-1\""},
    {"ItemNotInFirstCompany", kFull, kU2Script,
     R"("u2": {"actions": [{"do": "reject", "item": "ab-1"}]})",
     "workload.scripts.u2.actions[0].item",
     "(the first company, where a script without \"start\" begins)"},
    {"ItemUnknown", kFull, kClear, R"({"do": "clear", "item": "ab-9"})",
     "workload.scripts.u1.actions[5].item", "which is no item of any company"},
    {"DecisionWhileHidden", kFull, std::string_view(R"({"do": "show"},)"), "",
     "workload.scripts.u1.actions[4]",
     "expected a visible tab for a decision, found the tab hidden since actions[3]"},
    {"HideTwice", kFull, kShow, kHide, "workload.scripts.u1.actions[4]",
     "expected a visible tab to hide, found the tab hidden since actions[3]"},
    {"ShowWhileVisible", kFull, std::string_view(R"({"do": "hide"},)"), "",
     "workload.scripts.u1.actions[3]",
     "expected a hidden tab to show, found the tab visible from the start"},
    {"ShowAfterShow", kFull, kClear, kShow, "workload.scripts.u1.actions[5]",
     "found the tab visible since actions[4]"},
    {"ManualWithoutNode", kFull, kManual, R"({"do": "manual", "item": "ab-1"})",
     "workload.scripts.u1.actions[2].node", "missing required field"},
    {"ManualEmptyNode", kFull, kManual, R"({"do": "manual", "item": "ab-1", "node": ""})",
     "workload.scripts.u1.actions[2].node", "expected a non-empty manual node"},
    {"ManualNodeNotString", kFull, kManual, R"({"do": "manual", "item": "ab-1", "node": 7})",
     "workload.scripts.u1.actions[2].node", "expected a string, found 7"},
    {"NodeOnApprove", kFull, kApprove, R"({"do": "approve", "item": "az-1", "node": "N-1"})",
     "workload.scripts.u1.actions[0].node",
     "\"node\" does not apply to the action \"approve\", whose fields are do, item, after_ms"},
    {"CompanyOnHide", kFull, kHide, R"({"do": "hide", "company": "abbvie"})",
     "workload.scripts.u1.actions[3].company", "does not apply to the action \"hide\""},
    {"ItemOnSwitch", kFull, kSwitch, R"({"do": "switch", "company": "abbvie", "item": "ab-1"})",
     "workload.scripts.u1.actions[1].item", "does not apply to the action \"switch\""},
    {"ActionUnknownField", kFull, kHide, R"({"do": "hide", "delay_ms": 5})",
     "workload.scripts.u1.actions[3].delay_ms", "unknown field \"delay_ms\""},
    {"ActionUnknownKind", kFull, kHide, R"({"do": "minimize"})",
     "workload.scripts.u1.actions[3].do",
     "expected one of \"approve\", \"reject\", \"manual\", \"clear\", \"switch\", \"hide\", "
     "\"show\", found \"minimize\""},
    {"ActionMissingDo", kFull, kHide, R"({"action": "hide"})",
     "workload.scripts.u1.actions[3].do",
     "missing required field"},
    {"ActionNotObject", kFull, kHide, R"("hide")", "workload.scripts.u1.actions[3]",
     "expected an object, found \"hide\""},
    {"DecisionMissingItem", kFull, kClear, R"({"do": "clear"})",
     "workload.scripts.u1.actions[5].item", "missing required field"},
    {"AfterMsNegative", kFull, kApprove, R"({"do": "approve", "item": "az-1", "after_ms": -1})",
     "workload.scripts.u1.actions[0].after_ms", "from 0 to 3600000"},
    {"AfterMsAboveHour", kFull, kApprove,
     R"({"do": "approve", "item": "az-1", "after_ms": 3600001})",
     "workload.scripts.u1.actions[0].after_ms", "from 0 to 3600000"},
    {"AfterMsString", kFull, kApprove, R"({"do": "approve", "item": "az-1", "after_ms": "1s"})",
     "workload.scripts.u1.actions[0].after_ms", "found \"1s\""},
    {"SwitchUnknownCompany", kFull, kSwitch, R"({"do": "switch", "company": "pfizer"})",
     "workload.scripts.u1.actions[1].company", "expected one of the companies"},
    {"SwitchWithoutCompany", kFull, kSwitch, R"({"do": "switch"})",
     "workload.scripts.u1.actions[1].company", "missing required field"},
};
INSTANTIATE_TEST_SUITE_P(Scripts, ScenarioFileError, testing::ValuesIn(kScriptCases),
                         [](const auto& info) { return std::string(info.param.name); });

constexpr std::string_view kWeights =
    R"({"approve": 5, "reject": 2, "manual": 1, "clear": 1, "switch": 2, "hide": 1})";

const ErrorCase kGeneratedCases[] = {
    {"WorkloadUnknownField", kFull, R"("generated": {)", R"("generate": {)",
     "workload.generate", "unknown field"},
    {"GeneratedActionsZero", kFull, R"("actions": 8)", R"("actions": 0)",
     "workload.generated.actions", "from 1 to 10000"},
    {"GeneratedActionsAboveMax", kFull, R"("actions": 8)", R"("actions": 10001)",
     "workload.generated.actions", "from 1 to 10000"},
    {"GeneratedWeightsMissing", kFull, R"("actions": 8,
      "weights": {"approve": 5, "reject": 2, "manual": 1, "clear": 1, "switch": 2, "hide": 1})",
     R"("actions": 8)", "workload.generated.weights", "missing required field"},
    {"GeneratedWeightShow", kFull, R"("hide": 1})", R"("hide": 1, "show": 1})",
     "workload.generated.weights.show", "\"show\" takes no weight"},
    {"GeneratedWeightUnknown", kFull, R"("hide": 1})", R"("hide": 1, "poll": 1})",
     "workload.generated.weights.poll",
     "The accepted fields are approve, reject, manual, clear, switch, hide"},
    {"GeneratedWeightNegative", kFull, R"("reject": 2)", R"("reject": -2)",
     "workload.generated.weights.reject", "from 0 to 1000000"},
    {"GeneratedWeightFraction", kFull, R"("reject": 2)", R"("reject": 0.5)",
     "workload.generated.weights.reject", "found 0.5"},
    {"GeneratedNoDecision", kFull, kWeights, R"({"switch": 2, "hide": 1})",
     "workload.generated.weights", "expected a positive weight for at least one decision"},
    {"GeneratedDecisionsZero", kFull, kWeights,
     R"({"approve": 0, "reject": 0, "manual": 0, "clear": 0, "switch": 2})",
     "workload.generated.weights", "found none"},
};
INSTANTIATE_TEST_SUITE_P(Generated, ScenarioFileError, testing::ValuesIn(kGeneratedCases),
                         [](const auto& info) { return std::string(info.param.name); });

constexpr std::string_view kExpectSecond =
    R"({"strategy": "hset-multi", "client": "fixed", "anomalies": "none"})";

const ErrorCase kExpectCases[] = {
    {"ExpectUnknownStrategy", kFull, R"("full-overwrite")", R"("overwrite")",
     "expect[0].strategy",
     "expected one of \"full-overwrite\", \"read-merge-write\", \"hset\", \"hset-multi\""},
    {"ExpectBadClient", kFull, R"("client": "legacy", "anomalies")",
     R"("client": "old", "anomalies")", "expect[0].client", "unknown client variant \"old\""},
    {"ExpectMissingClient", kFull, kExpectSecond,
     R"({"strategy": "hset-multi", "anomalies": "none"})", "expect[1].client",
     "missing required field"},
    {"ExpectUnknownAnomaly", kFull, R"(["lost-update", )", R"(["lost-write", )",
     "expect[0].anomalies[0]", "expected one of \"lost-update\", \"wrong-company-write\""},
    {"ExpectAnomaliesEmpty", kFull, R"(["lost-update", "wrong-company-write"])", "[]",
     "expect[0].anomalies", "found an empty array"},
    {"ExpectAnomaliesOtherWord", kFull, R"("anomalies": "none")", R"("anomalies": "clean")",
     "expect[1].anomalies", "expected \"none\" or a non-empty array of anomaly kinds"},
    {"ExpectAnomalyTwice", kFull, R"(["lost-update", "wrong-company-write"])",
     R"(["lost-update", "lost-update"])", "expect[0].anomalies[1]",
     "expected each anomaly kind at most once"},
    {"ExpectSameEntryTwice", kFull, kExpectSecond,
     R"({"strategy": "full-overwrite", "client": "legacy", "anomalies": "none"})", "expect[1]",
     "found a second entry for \"full-overwrite\" with client \"legacy\""},
    {"ExpectSameFlagsTwice", kFull, kExpectSecond,
     R"({"strategy": "full-overwrite", "client": "legacy+page-load", "anomalies": "none"})",
     "expect[1]", "which has the same flags as \"legacy\" in expect[0]"},
    {"ExpectUnknownField", kFull, kExpectSecond,
     R"({"strategy": "hset-multi", "client": "fixed", "anomalies": "none", "users": 2})",
     "expect[1].users", "unknown field"},
    {"ExpectNotArray", kMinimal, R"("users": 2,)", R"("users": 2, "expect": "none",)", "expect",
     "expected an array of expectations"},
};
INSTANTIATE_TEST_SUITE_P(Expect, ScenarioFileError, testing::ValuesIn(kExpectCases),
                         [](const auto& info) { return std::string(info.param.name); });

// A fresh directory under the test temporary directory, removed after each test.
class ScenarioFiles : public testing::Test {
 protected:
  void SetUp() override {
    const auto* test = testing::UnitTest::GetInstance()->current_test_info();
    directory_ = std::filesystem::path(testing::TempDir()) /
                 (std::string("reviewsim_scenario_file_") + test->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }

  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::filesystem::path write(const std::string& name, std::string_view text) {
    const auto path = directory_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path directory_;
};

TEST_F(ScenarioFiles, LoadFile) {
  const auto path = write("full.json", kFullScenario);
  EXPECT_EQ(load_scenario_file(path).name, "incident-wrong-company");
}

TEST_F(ScenarioFiles, LoadErrorNamesPath) {
  const auto path = write("bad.json", replaced(kMinimalScenario, R"("users": 2)", R"("users": 7)"));
  try {
    load_scenario_file(path);
    ADD_FAILURE() << "loaded an invalid scenario";
  } catch (const ScenarioError& error) {
    EXPECT_EQ(error.file(), path.string());
    EXPECT_EQ(error.field(), "users");
  }
}

TEST_F(ScenarioFiles, MissingFile) {
  const auto path = directory_ / "absent.json";
  try {
    load_scenario_file(path);
    ADD_FAILURE() << "loaded a file that does not exist";
  } catch (const ScenarioError& error) {
    EXPECT_EQ(error.file(), path.string());
    EXPECT_EQ(error.field(), "");
    EXPECT_NE(error.problem().find("cannot read the scenario file"), std::string::npos)
        << error.problem();
  }
}

TEST_F(ScenarioFiles, DirectoryAsFile) {
  try {
    load_scenario_file(directory_);
    ADD_FAILURE() << "loaded a directory";
  } catch (const ScenarioError& error) {
    EXPECT_NE(error.problem().find("expected a regular file"), std::string::npos)
        << error.problem();
  }
}

TEST_F(ScenarioFiles, ListSortedJsonOnly) {
  write("b.json", "{}");
  write("a.json", "{}");
  write("C.json", "{}");
  write("notes.txt", "");
  write("a.json.bak", "");
  std::filesystem::create_directories(directory_ / "nested.json");
  std::filesystem::create_directories(directory_ / "sub");
  write("sub/deep.json", "{}");

  const auto files = scenario_files_in(directory_);

  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].filename(), "C.json");
  EXPECT_EQ(files[1].filename(), "a.json");
  EXPECT_EQ(files[2].filename(), "b.json");
}

TEST_F(ScenarioFiles, ListEmptyDirectory) {
  EXPECT_TRUE(scenario_files_in(directory_).empty());
}

TEST_F(ScenarioFiles, ListMissingDirectory) {
  const auto missing = directory_ / "absent";
  try {
    scenario_files_in(missing);
    ADD_FAILURE() << "listed a directory that does not exist";
  } catch (const ScenarioError& error) {
    EXPECT_EQ(error.file(), missing.string());
    EXPECT_EQ(error.field(), "");
    EXPECT_NE(error.problem().find("scenario directory not found"), std::string::npos)
        << error.problem();
  }
}

TEST_F(ScenarioFiles, ListFileNotDirectory) {
  const auto path = write("one.json", "{}");
  try {
    scenario_files_in(path);
    ADD_FAILURE() << "listed a regular file as a directory";
  } catch (const ScenarioError& error) {
    EXPECT_NE(error.problem().find("expected a directory"), std::string::npos) << error.problem();
  }
}

std::filesystem::path scenarios_directory() {
  return std::filesystem::path(REVIEWSIM_SOURCE_DIR) / "scenarios";
}

TEST(BundledScenarios, AllParse) {
  for (const auto& path : scenario_files_in(scenarios_directory())) {
    try {
      load_scenario_file(path);
    } catch (const ScenarioError& error) {
      ADD_FAILURE() << error.what();
    }
  }
}

// The first ```json block of scenarios/README.md is the documented example.
TEST(BundledScenarios, ReadmeExampleParses) {
  std::ifstream in(scenarios_directory() / "README.md");
  ASSERT_TRUE(in.good()) << "scenarios/README.md not found";
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const std::string fence = "```json\n";
  const auto start = readme.find(fence);
  ASSERT_NE(start, std::string::npos) << "no ```json block in scenarios/README.md";
  const auto end = readme.find("```", start + fence.size());
  ASSERT_NE(end, std::string::npos) << "unterminated ```json block";
  const std::string example = readme.substr(start + fence.size(), end - start - fence.size());

  try {
    const Scenario scenario = parse_scenario(example, "scenarios/README.md");
    EXPECT_FALSE(scenario.name.empty());
  } catch (const ScenarioError& error) {
    ADD_FAILURE() << error.what();
  }
}

}  // namespace
}  // namespace reviewsim
