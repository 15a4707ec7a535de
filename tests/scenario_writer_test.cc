#include <gtest/gtest.h>

#include "adapters/scenario_file.h"

namespace reviewsim {
namespace {

void expect_same(const Scenario& a, const Scenario& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  ASSERT_EQ(a.catalog.companies_count(), b.catalog.companies_count());
  ASSERT_EQ(a.catalog.items_count(), b.catalog.items_count());
  for (ItemId item = 0; item < a.catalog.items_count(); ++item) {
    EXPECT_EQ(a.catalog.item_name(item), b.catalog.item_name(item));
    EXPECT_EQ(a.catalog.company_of(item), b.catalog.company_of(item));
  }
  EXPECT_EQ(a.users_min, b.users_min);
  EXPECT_EQ(a.users_max, b.users_max);
  EXPECT_EQ(a.client, b.client);
  EXPECT_EQ(a.network_ms.max_ms, b.network_ms.max_ms);
  EXPECT_EQ(a.think_ms.min_ms, b.think_ms.min_ms);
  EXPECT_EQ(a.poll_interval_ms, b.poll_interval_ms);
  ASSERT_EQ(a.initial.size(), b.initial.size());
  for (std::size_t index = 0; index < a.initial.size(); ++index) {
    EXPECT_EQ(a.initial[index].item, b.initial[index].item);
    EXPECT_EQ(a.initial[index].status, b.initial[index].status);
    EXPECT_EQ(a.initial[index].node, b.initial[index].node);
  }
  ASSERT_EQ(a.scripts.size(), b.scripts.size());
  for (const auto& [user, script] : a.scripts) {
    const UserScript& other = b.scripts.at(user);
    EXPECT_EQ(script.start_company, other.start_company);
    ASSERT_EQ(script.actions.size(), other.actions.size());
    for (std::size_t index = 0; index < script.actions.size(); ++index) {
      EXPECT_EQ(script.actions[index].kind, other.actions[index].kind);
      EXPECT_EQ(script.actions[index].after_ms, other.actions[index].after_ms);
      EXPECT_EQ(script.actions[index].node, other.actions[index].node);
    }
  }
  EXPECT_EQ(a.generated.has_value(), b.generated.has_value());
  if (a.generated && b.generated) {
    EXPECT_EQ(a.generated->weights, b.generated->weights);
  }
  ASSERT_EQ(a.expectations.size(), b.expectations.size());
  for (std::size_t index = 0; index < a.expectations.size(); ++index) {
    EXPECT_EQ(a.expectations[index].explorer, b.expectations[index].explorer);
    EXPECT_EQ(a.expectations[index].kinds, b.expectations[index].kinds);
    EXPECT_EQ(a.expectations[index].clean, b.expectations[index].clean);
  }
}

TEST(ScenarioWriter, BundledScenariosRoundTrip) {
  for (const auto& path : scenario_files_in(std::string(REVIEWSIM_SOURCE_DIR) + "/scenarios")) {
    SCOPED_TRACE(path.string());
    const Scenario original = load_scenario_file(path);
    const std::string written = format_scenario(original);
    const Scenario reread = parse_scenario(written, path.string());
    expect_same(original, reread);
    EXPECT_EQ(format_scenario(reread), written);
  }
}

}  // namespace
}  // namespace reviewsim
