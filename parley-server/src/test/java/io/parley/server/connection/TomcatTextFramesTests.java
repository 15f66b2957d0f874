package io.parley.server.connection;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TomcatTextFramesTests {

    /**
     * The Tomcat this project ships with has the method the encode-once path calls: an upgrade that
     * renames it fails here, not silently in the figures (the sink would fall back to per-send
     * encoding).
     */
    @Test
    void isAvailableOnTheBundledTomcat() {
        assertThat(TomcatTextFrames.available()).isTrue();
    }
}
