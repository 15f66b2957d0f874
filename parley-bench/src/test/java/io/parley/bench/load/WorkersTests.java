package io.parley.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class WorkersTests {

    private static final List<URI> NODES = List.of(URI.create("http://127.0.0.1:1001"), URI.create("http://127.0.0.1:1002"),
            URI.create("http://127.0.0.1:1003"));

    @Test
    void eachWorkerConnectsToOneNodeAndANodesShareIsSplitEvenlyOverItsWorkers() {
        List<List<String>> byNode = List.of(credentials("a", 300), credentials("b", 300), credentials("c", 301));

        List<Workers.Slice> slices = Workers.spread(NODES, byNode, 7);

        assertThat(slices).extracting(Workers.Slice::node).containsExactly(0, 1, 2, 0, 1, 2, 0);
        for (Workers.Slice slice : slices) {
            assertThat(slice.server()).isEqualTo(NODES.get(slice.node()));
            assertThat(slice.credentials()).allMatch(c -> c.startsWith("abc".substring(slice.node(), slice.node() + 1)));
        }
        assertThat(slices).extracting(s -> s.credentials().size()).containsExactly(100, 150, 150, 100, 150, 151, 100);
        for (int node = 0; node < NODES.size(); node++) {
            int k = node;
            List<String> opened = new ArrayList<>();
            slices.stream().filter(s -> s.node() == k).forEach(s -> opened.addAll(s.credentials()));
            assertThat(opened).as("node %d: every credential once", node).containsExactlyInAnyOrderElementsOf(byNode.get(node));
        }
    }

    @Test
    void fewerWorkersThanNodesIsRefused() {
        assertThatThrownBy(() -> Workers.spread(NODES, List.of(List.of(), List.of(), List.of()), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("each worker connects to one node");
    }

    private static List<String> credentials(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }
}
