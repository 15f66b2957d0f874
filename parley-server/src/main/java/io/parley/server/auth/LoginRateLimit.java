package io.parley.server.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.parley.server.connection.TokenBucket;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Password attempts per client address, a token bucket each ({@link LoginRateProperties}): the
 * defence against credential stuffing and password guessing from one place. Per node: behind a load
 * balancer that spreads one address over {@code n} nodes, the address gets up to {@code n} times the
 * rate. IPv6 addresses count by their /64 prefix, which one subscriber usually holds whole.
 *
 * <p>The address is the one the container reports ({@code getRemoteAddr}): behind a proxy, set
 * {@code server.forward-headers-strategy=native} and have the proxy send {@code X-Forwarded-For},
 * or every client shares the proxy's bucket.
 *
 * <p>Memory is bounded by {@code max-addresses}: when the map is full, buckets that have refilled
 * completely (they hold nothing an empty one would not) are dropped, at most once a second; if the
 * map is still full, new addresses share one overflow bucket, limited like any other.
 *
 * <p>Thread-safe.
 */
@Component
public class LoginRateLimit {

    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final LoginRateProperties properties;
    private final LongSupplier clock;
    private final TokenBucket overflow;
    private volatile long lastSweep;

    @Autowired
    public LoginRateLimit(LoginRateProperties properties) {
        this(properties, System::nanoTime);
    }

    LoginRateLimit(LoginRateProperties properties, LongSupplier clock) {
        this.properties = properties;
        this.clock = clock;
        this.overflow = newBucket(clock.getAsLong());
        this.lastSweep = clock.getAsLong() - SWEEP_INTERVAL_NANOS;
    }

    /**
     * Takes one attempt for {@code address}: 0 when allowed, else the whole seconds to wait before the
     * next one is (at least 1).
     */
    long tryAcquire(String address) {
        long now = clock.getAsLong();
        return bucketOf(key(address), now).tryAcquire(now);
    }

    /** Addresses tracked now. */
    int size() {
        return buckets.size();
    }

    private TokenBucket bucketOf(String key, long now) {
        TokenBucket bucket = buckets.get(key);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= properties.maxAddresses()) {
            sweep(now);
            if (buckets.size() >= properties.maxAddresses()) {
                return overflow;
            }
        }
        return buckets.computeIfAbsent(key, k -> newBucket(now));
    }

    private TokenBucket newBucket(long now) {
        return new TokenBucket(properties.perSecond(), properties.burst(), now);
    }

    private void sweep(long now) {
        long last = lastSweep;
        if (now - last < SWEEP_INTERVAL_NANOS) {
            return;
        }
        lastSweep = now;
        buckets.values().removeIf(bucket -> bucket.isFull(now));
    }

    /** The bucket key of an address: IPv4 whole, IPv6 by its /64; anything unparsable as it is. */
    static String key(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress(); // a literal: no name lookup
            if (bytes.length == 16) {
                return "v6:" + Arrays.toString(Arrays.copyOf(bytes, 8));
            }
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException | IllegalArgumentException e) {
            return address;
        }
    }
}
