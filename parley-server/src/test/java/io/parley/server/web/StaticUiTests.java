package io.parley.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI stays inside its Content-Security-Policy and renders network text as text: no inline
 * script, handler or style in the page, and no HTML sink in the script. (Proved in a browser by
 * {@code WebUiIT}; this catches a regression without one.)
 */
class StaticUiTests {

    private static String resource(String name) throws IOException {
        try (InputStream in = StaticUiTests.class.getResourceAsStream("/static/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void thePageHasNoInlineScriptHandlerOrStyle() throws IOException {
        String page = resource("index.html");
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(page).find())
                .as("a <script> without src").isFalse();
        assertThat(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find()).as("an on* handler").isFalse();
        assertThat(Pattern.compile("<style|\\sstyle\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find()).as("inline style").isFalse();
        assertThat(page).doesNotContainIgnoringCase("javascript:");
    }

    /** The chat page's modules (app.js imports the others). */
    static final String[] SCRIPTS = {"app.js", "view.js", "state.js", "http.js"};

    @Test
    void theScriptsUseNoHtmlSinkNorEval() throws IOException {
        for (String name : SCRIPTS) {
            String script = resource(name);
            for (String sink : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                    "new Function", "setAttribute('on", "setAttribute(\"on", "setAttribute('style", ".cssText", "srcdoc"}) {
                assertThat(script).as(name + ": " + sink).doesNotContain(sink);
            }
        }
        assertThat(resource("view.js")).contains(".textContent = m.text");
    }

    @Test
    void thePageLoadsItsModulesFromItsOwnOriginOnly() throws IOException {
        String page = resource("index.html");
        assertThat(page).contains("<script type=\"module\" src=\"/app.js\"></script>").doesNotContain("http://").doesNotContain("https://");
        for (String name : SCRIPTS) {
            assertThat(Pattern.compile("(import|from)\\s*['\"]https?:").matcher(resource(name)).find()).as(name).isFalse();
        }
    }
}
