package io.parley.server.cluster.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.server.cluster.Presence;

/**
 * Presence of a standalone node: per room, a count of subscribed connections per user. Thread-safe:
 * each room's counts change atomically under {@link ConcurrentHashMap#compute}.
 */
public final class LocalPresence implements Presence {

    private final Map<String, Map<String, Integer>> rooms = new ConcurrentHashMap<>();

    @Override
    public boolean enter(String room, String user) {
        boolean[] changed = {false};
        rooms.compute(room, (r, users) -> {
            Map<String, Integer> counts = users == null ? new ConcurrentHashMap<>() : users;
            changed[0] = counts.merge(user, 1, Integer::sum) == 1;
            return counts;
        });
        return changed[0];
    }

    @Override
    public boolean exit(String room, String user) {
        boolean[] changed = {false};
        rooms.computeIfPresent(room, (r, counts) -> {
            Integer left = counts.computeIfPresent(user, (u, count) -> count > 1 ? count - 1 : null);
            changed[0] = left == null;
            return counts.isEmpty() ? null : counts;
        });
        return changed[0];
    }

    @Override
    public List<String> online(String room) {
        Map<String, Integer> counts = rooms.get(room);
        List<String> users = counts == null ? new ArrayList<>() : new ArrayList<>(counts.keySet());
        users.sort(null);
        return users;
    }
}
