package org.meftspark.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WrongAnswerSampleTest {

    private static ReportExample ex(String dataset, int i) {
        return new ReportExample("m", dataset, dataset + ":" + i, "p", "x", List.of("y"), "em", 0.0);
    }

    @Test
    void partitionsAndOrderDoNotChangeTheSampleButTheSeedDoes() throws Exception {
        List<ReportExample> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(ex(i % 3 == 0 ? "gsm8k" : "nq_open", i));
        }
        WrongAnswerSample one = new WrongAnswerSample(7, 4);
        all.forEach(one::add);

        List<ReportExample> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(3));
        WrongAnswerSample a = new WrongAnswerSample(7, 4);
        WrongAnswerSample b = new WrongAnswerSample(7, 4);
        for (int i = 0; i < shuffled.size(); i++) {
            (i % 5 == 0 ? a : b).add(shuffled.get(i));
        }
        List<ReportExample> merged = a.merge(b).examples();

        assertThat(merged).isEqualTo(one.examples()).hasSize(8);
        assertThat(merged.subList(0, 4)).allMatch(e -> e.dataset().equals("gsm8k"));
        assertThat(merged.subList(4, 8)).allMatch(e -> e.dataset().equals("nq_open"));
        WrongAnswerSample other = new WrongAnswerSample(8, 4);
        all.forEach(other::add);
        assertThat(other.examples()).isNotEqualTo(merged).hasSize(8);
        // It travels between Spark tasks and the driver.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
            o.writeObject(one);
        }
        try (java.io.ObjectInputStream i = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(((WrongAnswerSample) i.readObject()).examples()).isEqualTo(merged);
        }
        WrongAnswerSample none = new WrongAnswerSample(7, 0);
        all.forEach(none::add);
        assertThat(none.examples()).isEmpty();
    }
}
