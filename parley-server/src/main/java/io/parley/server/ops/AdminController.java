package io.parley.server.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.server.auth.Accounts;
import io.parley.server.auth.UserSessions;
import io.parley.server.token.TokenLogins;
import io.parley.server.web.ApiException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API, for the users listed in {@code parley.admins} only (Spring Security refuses
 * everyone else before this controller: 401 anonymous, 403 {@code forbidden} otherwise):
 * <ul>
 * <li>{@code GET /api/admin/nodes}: the cluster's nodes and their figures ({@link ClusterView}),
 *     what the admin page polls;</li>
 * <li>{@code POST /api/admin/users/{user}/revoke}: signs a user out everywhere: every HTTP session
 *     ({@link UserSessions}) and every token login ({@link TokenLogins}) ended, and every socket
 *     of theirs closed with 1008 on every node, through the logout path.</li>
 * </ul>
 */
@RestController
class AdminController {

    private static final Logger log = LoggerFactory.getLogger(AdminController.class);
    private static final Pattern USER_NAME = Pattern.compile("[a-z0-9_]{3,32}");

    private final NodeStatsSampler sampler;
    private final NodeStatsBoard board;
    private final MeterRegistry meters;
    private final String mode;
    private final Accounts accounts;
    private final UserSessions sessions;
    private final TokenLogins tokens;

    AdminController(NodeStatsSampler sampler, NodeStatsBoard board, MeterRegistry meters, Environment environment,
            Accounts accounts, UserSessions sessions, TokenLogins tokens) {
        this.sampler = sampler;
        this.board = board;
        this.meters = meters;
        this.mode = environment.acceptsProfiles(Profiles.of("cluster")) ? "cluster" : "standalone";
        this.accounts = accounts;
        this.sessions = sessions;
        this.tokens = tokens;
    }

    @GetMapping("/api/admin/nodes")
    ResponseEntity<ClusterView> nodes() {
        List<NodeStats> nodes = new ArrayList<>();
        @Nullable String warning = null;
        try {
            nodes.addAll(board.read());
        } catch (RuntimeException e) {
            warning = "the other nodes' figures are unreadable (" + e.getClass().getSimpleName() + "): this node only";
            log.debug("Admin stats unreadable: {}", e.toString());
        }
        if (nodes.stream().noneMatch(stats -> stats.node().equals(sampler.node()))) {
            nodes.add(sampler.latest());
            nodes.sort(Comparator.comparing(NodeStats::node));
        }
        Gauge registered = meters.find("parley.registry.nodes").gauge();
        long registeredNodes = registered != null ? (long) registered.value() : 1;
        ClusterView view = new ClusterView(sampler.node(), mode, System.currentTimeMillis(), registeredNodes, warning, nodes);
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(view);
    }

    @PostMapping("/api/admin/users/{user}/revoke")
    Map<String, Object> revoke(@PathVariable String user, Authentication admin) {
        if (!USER_NAME.matcher(user).matches()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", "user must match [a-z0-9_]{3,32}");
        }
        if (!accounts.exists(user)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "not_found", "no such user");
        }
        int httpSessions = sessions.endAll(user);
        int tokenLogins = tokens.revokeAll(user);
        log.info("Admin {} signed {} out everywhere: {} HTTP session(s), {} token login(s) ended", admin.getName(), user,
                httpSessions, tokenLogins);
        return Map.of("user", user, "httpSessions", httpSessions, "tokenLogins", tokenLogins);
    }
}
