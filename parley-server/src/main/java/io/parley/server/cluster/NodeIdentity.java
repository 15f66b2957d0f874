package io.parley.server.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * This node's id, announced to clients in {@code welcome} and used in cluster keys and channels.
 * {@code parley.node-id} when set; otherwise the host name and a random suffix, so two nodes on one
 * host (or one restarted node) never share an id.
 */
@Component
public class NodeIdentity {

    private final String id;

    public NodeIdentity(@Value("${parley.node-id:}") String configured) {
        this.id = configured.isBlank() ? hostName() + "-" + UUID.randomUUID().toString().substring(0, 8) : configured;
    }

    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "");
        } catch (UnknownHostException e) {
            return "node";
        }
    }
}
