package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CpuListTest {

    @Test
    void shouldReadSinglesAndRanges() {
        assertThat(CpuList.parse("0-3,8,10-11\n")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuList.parse("5")).containsExactly(5);
        assertThat(CpuList.parse("2-3,1")).containsExactly(1, 2, 3);
    }

    @Test
    void shouldSayWhatIsWrong() {
        assertThatThrownBy(() -> CpuList.parse("0-x")).hasMessage("'x' in CPU list '0-x' is not a CPU number");
        assertThatThrownBy(() -> CpuList.parse("3-1")).hasMessage("CPU range '3-1' in '3-1' runs backwards");
        assertThatThrownBy(() -> CpuList.parse(" ")).hasMessage("CPU list ' ' names no CPU");
    }

    /** Any set of CPUs written as the kernel writes it (runs of consecutive CPUs as ranges) reads back as itself. */
    @Test
    void shouldReadTheAllowedCpusFromAStatusFileOrFallBackToTheCount() {
        assertThat(CpuList.allowedIn(List.of("Name:\tjava", "Cpus_allowed_list:\t4-5,7", "Mems_allowed:\t1"), 2))
                .containsExactly(4, 5, 7);
        assertThat(CpuList.allowedIn(List.of("Name:\tjava"), 3)).as("no entry").containsExactly(0, 1, 2);
        assertThat(CpuList.allowedIn(List.of("Cpus_allowed_list:\tf-g"), 2)).as("malformed").containsExactly(0, 1);
    }

    @Property(tries = 300)
    void shouldReadBackAnySetTheKernelWrites(@ForAll @Size(min = 1, max = 40) Set<@IntRange(max = 200) Integer> set) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(set));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            text.append(text.length() == 0 ? "" : ",").append(sorted.get(i));
            if (j > i) {
                text.append('-').append(sorted.get(j));
            }
            i = j + 1;
        }
        assertThat(CpuList.parse(text.toString())).containsExactlyElementsOf(sorted);
    }
}
