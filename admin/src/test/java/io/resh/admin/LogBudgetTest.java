package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogBudgetTest {
    @Test
    void shouldAdmitABurstThenStaySilentAndReportWhatItLeftOut() {
        LogBudget budget = new LogBudget(2, 1000);

        assertThat(budget.admit(0)).isZero();
        assertThat(budget.admit(10)).isZero();
        assertThat(budget.admit(20)).isEqualTo(-1);
        assertThat(budget.admit(30)).isEqualTo(-1);
        assertThat(budget.admit(1000)).isEqualTo(2);
        assertThat(budget.admit(1001)).isZero();
    }
}
