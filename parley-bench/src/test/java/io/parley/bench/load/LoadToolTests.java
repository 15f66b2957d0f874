package io.parley.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class LoadToolTests {

    @Test
    void s1StaysOneStandaloneNodeWithoutNodes() {
        LoadTool.Preset s1 = only("S1").resolve(new Options("S1"));

        assertThat(s1.name()).isEqualTo("S1");
        assertThat(s1.nodes()).isEqualTo(1);
        assertThat(s1.cluster()).isFalse();
        assertThat(s1.nodeSettings(new Options("S1"))).isEqualTo(Target.NodeSettings.DEFAULT);
    }

    @Test
    void s1WithNodesIsAClusterWithAHundredConnectionsPerAccountUnlessTold() {
        Options options = new Options("S1", "--nodes=3", "--connections=900");
        LoadTool.Preset s1 = only("S1").resolve(options);

        assertThat(s1.name()).isEqualTo("S1-cluster");
        assertThat(s1.nodes()).isEqualTo(3);
        assertThat(s1.cluster()).isTrue();
        Options o = options.with(s1.scenario(), s1.overrides());
        assertThat(o.integer("per-user", 10)).isEqualTo(100);
        assertThat(o.integer("connections", 0)).isEqualTo(900);
        assertThat(s1.nodeSettings(o).jvmOptions()).contains("-XX:+UseSerialGC");

        Options told = new Options("S1", "--nodes=3", "--per-user=10");
        assertThat(told.with("S1", only("S1").resolve(told).overrides()).integer("per-user", 0)).isEqualTo(10);
    }

    @Test
    void theClusterPresetIsTheIssuesHundredThousandOverSixNodes() {
        Options options = new Options("S1-cluster");
        LoadTool.Preset preset = only("S1-cluster").resolve(options);
        Options o = options.with(preset.scenario(), preset.overrides());

        assertThat(preset.nodes()).isEqualTo(6);
        assertThat(preset.cluster()).isTrue();
        assertThat(o.integer("connections", 0)).isEqualTo(100_000);
        assertThat(o.integer("per-user", 0)).isEqualTo(100);
        assertThat(only("S1-cluster").resolve(new Options("S1-cluster", "--nodes=3")).nodes()).isEqualTo(3);
    }

    private static LoadTool.Preset only(String scenario) {
        List<LoadTool.Preset> presets = LoadTool.presets(scenario, false, false);
        assertThat(presets).hasSize(1);
        return presets.get(0);
    }
}
