package io.parley.server.auth;

import java.util.regex.Pattern;

import jakarta.servlet.http.HttpSession;
import io.parley.server.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Free-form session attributes, the classic proof that a session follows the user across nodes:
 * {@code PUT /api/session/attributes/{name}} with any JSON value, then {@code GET} it on any node.
 *
 * <p>Values are stored as their JSON text (a {@code String} attribute), so the session store never
 * has to deserialize a type chosen by a client. Names are {@code [A-Za-z0-9_.-]{1,64}}, values at
 * most {@value #MAX_VALUE_CHARS} chars, at most {@value #MAX_ATTRIBUTES} attributes per session.
 */
@RestController
class SessionAttributesController {

    static final int MAX_VALUE_CHARS = 4096;
    static final int MAX_ATTRIBUTES = 32;
    private static final String PREFIX = "parley.attr.";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final JsonMapper json;

    SessionAttributesController(JsonMapper json) {
        this.json = json;
    }

    @PutMapping(path = "/api/session/attributes/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<JsonNode> put(@PathVariable String name, @RequestBody String body, HttpSession session) {
        String key = key(name);
        if (body.length() > MAX_VALUE_CHARS) {
            throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "too_large", "value must be at most " + MAX_VALUE_CHARS + " chars of JSON");
        }
        JsonNode value = parse(body);
        if (session.getAttribute(key) == null && count(session) >= MAX_ATTRIBUTES) {
            throw new ApiException(HttpStatus.CONFLICT, "too_many_attributes", "at most " + MAX_ATTRIBUTES + " attributes per session");
        }
        session.setAttribute(key, json.writeValueAsString(value));
        return ResponseEntity.ok(value);
    }

    @GetMapping("/api/session/attributes/{name}")
    JsonNode get(@PathVariable String name, HttpSession session) {
        Object stored = session.getAttribute(key(name));
        if (!(stored instanceof String text)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "not_found", "no attribute '" + name + "' in this session");
        }
        return parse(text);
    }

    @DeleteMapping("/api/session/attributes/{name}")
    ResponseEntity<Void> delete(@PathVariable String name, HttpSession session) {
        session.removeAttribute(key(name));
        return ResponseEntity.noContent().build();
    }

    private static String key(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", "attribute name must match [A-Za-z0-9_.-]{1,64}");
        }
        return PREFIX + name;
    }

    private JsonNode parse(String text) {
        try {
            JsonNode node = json.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", "value must be a JSON value");
            }
            return node;
        } catch (JacksonException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", "value must be valid JSON");
        }
    }

    private static int count(HttpSession session) {
        int count = 0;
        for (var names = session.getAttributeNames(); names.hasMoreElements();) {
            if (names.nextElement().startsWith(PREFIX)) {
                count++;
            }
        }
        return count;
    }
}
