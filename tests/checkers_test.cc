// Hand-built observations whose right verdict is known, one flagged and one clean case per
// checker.

#include "model/checkers.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "model/store_timeline.h"

namespace reviewsim {
namespace {

// One company "acme" with items a-1 (id 0) and a-2 (id 1), and a second company "other" with
// item o-1 (id 2).
class CheckersTest : public ::testing::Test {
 protected:
  CheckersTest() {
    acme_ = catalog_.add_company("acme");
    other_ = catalog_.add_company("other");
    a1_ = catalog_.add_item(acme_, "a-1");
    a2_ = catalog_.add_item(acme_, "a-2");
    o1_ = catalog_.add_item(other_, "o-1");
    observations_.initial_store.resize(2);
    observations_.final_store.resize(2);
  }

  Decision decide(UserId user, std::uint32_t seq, CompanyId company, ItemId item,
                  DecisionKind kind, std::uint32_t step) {
    Decision decision{DecisionId{user, seq}, company, item, kind, "", static_cast<TimeMs>(step) * 10};
    observations_.decisions.push_back(DecisionRecord{decision, step});
    return decision;
  }

  void acknowledge(const Decision& decision, std::uint32_t step) {
    observations_.acknowledgements.push_back(Acknowledgement{decision.id, step});
  }

  // An HSET-like write of one decision's entry under `key_company`.
  void put(const Decision& decision, CompanyId key_company, std::uint32_t step, UserId user) {
    StoreDelta delta;
    delta.key_company = key_company;
    delta.puts.push_back(EntryPut{decision.item, *target_status(decision.kind), entry_of(decision)});
    observations_.commits.push_back(Commit{step, user, "HSET ...", std::move(delta)});
  }

  void remove(const Decision& cause, Status status, std::uint32_t step, UserId user) {
    StoreDelta delta;
    delta.key_company = cause.company;
    delta.removals.push_back(EntryRemoval{cause.item, status, cause.id});
    observations_.commits.push_back(Commit{step, user, "HDEL ...", std::move(delta)});
  }

  // A whole-blob SET of `state` under `company`.
  void replace(CompanyId company, const CompanyState& state, std::uint32_t step, UserId user) {
    StoreDelta delta;
    delta.key_company = company;
    delta.replaces_company = true;
    for (const Status status : kStatuses) {
      for (const auto& [item, entry] : state.map(status)) delta.puts.push_back(EntryPut{item, status, entry});
    }
    observations_.commits.push_back(Commit{step, user, "SET ...", std::move(delta)});
  }

  // The final store as the commits leave it, which the engine would decode from MemoryStore.
  void settle() {
    observations_.final_store = StoreTimeline(observations_).replayed_store();
    observations_.final_views.assign(2, observations_.final_store);
  }

  std::vector<Anomaly> of_kind(AnomalyKind kind) {
    std::vector<Anomaly> found;
    for (Anomaly& anomaly : check_all(observations_, catalog_)) {
      if (anomaly.kind == kind) found.push_back(std::move(anomaly));
    }
    return found;
  }

  Catalog catalog_;
  CompanyId acme_ = 0;
  CompanyId other_ = 0;
  ItemId a1_ = 0;
  ItemId a2_ = 0;
  ItemId o1_ = 0;
  Observations observations_;
};

TEST_F(CheckersTest, LostUpdateStaleOverwriteFlagged) {
  // u1 approves a-1 and saves its whole view; u2 saves a stale view with only a-2 over it.
  const Decision u1_approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  const Decision u2_approve = decide(2, 1, acme_, a2_, DecisionKind::approve, 2);
  CompanyState u1_view;
  u1_view.apply(u1_approve);
  CompanyState u2_view;
  u2_view.apply(u2_approve);
  replace(acme_, u1_view, 5, 1);
  acknowledge(u1_approve, 6);
  replace(acme_, u2_view, 7, 2);
  acknowledge(u2_approve, 8);
  settle();

  const auto lost = of_kind(AnomalyKind::lost_update);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].items, std::vector<ItemId>{a1_});
  EXPECT_EQ(lost[0].users, (std::vector<UserId>{1, 2}));
  EXPECT_EQ(lost[0].steps, (std::vector<std::uint32_t>{1, 5, 6, 7}));
  EXPECT_NE(lost[0].explanation.find("removed at step 7"), std::string::npos) << lost[0].explanation;
}

TEST_F(CheckersTest, LostUpdateSupersededNotFlagged) {
  // u1 approves a-1, then u2 rejects a-1 and commits later: last writer wins, nothing is lost.
  const Decision u1_approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  const Decision u2_reject = decide(2, 1, acme_, a1_, DecisionKind::reject, 2);
  put(u1_approve, acme_, 3, 1);
  acknowledge(u1_approve, 4);
  put(u2_reject, acme_, 5, 2);  // one EXEC: both writes land at step 5
  remove(u2_reject, Status::approved, 5, 2);
  acknowledge(u2_reject, 6);
  settle();

  EXPECT_TRUE(of_kind(AnomalyKind::lost_update).empty());
  EXPECT_TRUE(of_kind(AnomalyKind::status_conflict).empty());
}

TEST_F(CheckersTest, LostUpdateNeverCommittedFlagged) {
  // The decision was acknowledged but never written under its own company.
  const Decision approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  put(approve, other_, 3, 1);
  acknowledge(approve, 4);
  settle();

  const auto lost = of_kind(AnomalyKind::lost_update);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_NE(lost[0].explanation.find("No write ever put it under a key of acme"), std::string::npos);
}

TEST_F(CheckersTest, LostUpdateUnacknowledgedNotFlagged) {
  // A decision whose save never got its reply is not promised to the user.
  decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  settle();
  EXPECT_TRUE(of_kind(AnomalyKind::lost_update).empty());
}

TEST_F(CheckersTest, LostUpdateClearPresentNotFlagged) {
  const Decision approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  const Decision clear = decide(1, 2, acme_, a1_, DecisionKind::clear, 2);
  put(approve, acme_, 3, 1);
  acknowledge(approve, 4);
  remove(clear, Status::approved, 5, 1);
  remove(clear, Status::rejected, 6, 1);
  remove(clear, Status::manual, 7, 1);
  acknowledge(clear, 8);
  settle();

  EXPECT_TRUE(of_kind(AnomalyKind::lost_update).empty());
  EXPECT_TRUE(of_kind(AnomalyKind::status_conflict).empty());
}

TEST_F(CheckersTest, WrongCompanyWriteFlagged) {
  const Decision approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  put(approve, other_, 3, 1);
  acknowledge(approve, 4);
  settle();

  const auto misplaced = of_kind(AnomalyKind::wrong_company_write);
  ASSERT_EQ(misplaced.size(), 1u);
  EXPECT_EQ(misplaced[0].items, std::vector<ItemId>{a1_});
  EXPECT_EQ(misplaced[0].steps, (std::vector<std::uint32_t>{1, 3}));
  EXPECT_NE(misplaced[0].explanation.find("under company other"), std::string::npos);
}

TEST_F(CheckersTest, WrongCompanyWriteOwnKeyNotFlagged) {
  const Decision approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  const Decision other = decide(2, 1, other_, o1_, DecisionKind::reject, 2);
  put(approve, acme_, 3, 1);
  put(other, other_, 4, 2);
  acknowledge(approve, 5);
  acknowledge(other, 6);
  settle();

  EXPECT_TRUE(of_kind(AnomalyKind::wrong_company_write).empty());
  EXPECT_TRUE(check_all(observations_, catalog_).empty());
}

TEST_F(CheckersTest, DivergenceFlagged) {
  const Decision approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  put(approve, acme_, 3, 1);
  acknowledge(approve, 4);
  settle();
  observations_.final_views[1][acme_] = CompanyState{};  // u2 still shows nothing

  const auto diverged = of_kind(AnomalyKind::divergence);
  ASSERT_EQ(diverged.size(), 1u);
  EXPECT_EQ(diverged[0].users, std::vector<UserId>{2});
  EXPECT_EQ(diverged[0].items, std::vector<ItemId>{a1_});
}

TEST_F(CheckersTest, DivergenceEqualViewsNotFlagged) {
  const Decision approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  put(approve, acme_, 3, 1);
  acknowledge(approve, 4);
  settle();
  EXPECT_TRUE(of_kind(AnomalyKind::divergence).empty());
}

TEST_F(CheckersTest, StatusConflictTwoStatusesFlagged) {
  // u2's HSET into rejected lands while u1's approval is still in approved.
  const Decision u1_approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  const Decision u2_reject = decide(2, 1, acme_, a1_, DecisionKind::reject, 2);
  put(u1_approve, acme_, 3, 1);
  put(u2_reject, acme_, 4, 2);
  remove(u2_reject, Status::approved, 5, 2);
  settle();

  const auto conflicts = of_kind(AnomalyKind::status_conflict);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].steps, std::vector<std::uint32_t>{4});
  EXPECT_NE(conflicts[0].explanation.find("approved and rejected at once"), std::string::npos);
}

TEST_F(CheckersTest, StatusConflictSameStepNotFlagged) {
  // Both writes of one EXEC land at the same step: no reader can see the item in two statuses.
  const Decision u1_approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  const Decision u2_reject = decide(2, 1, acme_, a1_, DecisionKind::reject, 2);
  put(u1_approve, acme_, 3, 1);
  put(u2_reject, acme_, 4, 2);
  remove(u2_reject, Status::approved, 4, 2);
  settle();

  EXPECT_TRUE(of_kind(AnomalyKind::status_conflict).empty());
}

TEST_F(CheckersTest, StatusConflictVanishedFlagged) {
  // The interleaving HSET a, HSET r, HDEL r (u1), HDEL a (u2) leaves a-1 in no status.
  const Decision u1_approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  const Decision u2_reject = decide(2, 1, acme_, a1_, DecisionKind::reject, 2);
  put(u1_approve, acme_, 3, 1);
  put(u2_reject, acme_, 4, 2);
  remove(u1_approve, Status::rejected, 5, 1);
  remove(u2_reject, Status::approved, 6, 2);
  acknowledge(u1_approve, 7);
  acknowledge(u2_reject, 8);
  settle();

  // Two statuses after step 4, then no status at quiescence.
  const auto conflicts = of_kind(AnomalyKind::status_conflict);
  ASSERT_EQ(conflicts.size(), 2u);
  const auto vanished = std::count_if(conflicts.begin(), conflicts.end(), [](const Anomaly& anomaly) {
    return anomaly.explanation.find("in no status at quiescence") != std::string::npos;
  });
  EXPECT_EQ(vanished, 1);
  // u2 committed last, so u1's approval is superseded and only u2's rejection is lost.
  const auto lost = of_kind(AnomalyKind::lost_update);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].explanation.rfind("u2's reject", 0), 0u) << lost[0].explanation;
}

TEST_F(CheckersTest, StatusConflictClearedNotFlagged) {
  const Decision approve = decide(1, 1, acme_, a1_, DecisionKind::approve, 1);
  const Decision clear = decide(1, 2, acme_, a1_, DecisionKind::clear, 2);
  put(approve, acme_, 3, 1);
  remove(clear, Status::approved, 4, 1);
  settle();
  EXPECT_TRUE(of_kind(AnomalyKind::status_conflict).empty());
}

}  // namespace
}  // namespace reviewsim
