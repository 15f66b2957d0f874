package io.parley.server.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Set;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that can be made to fail like an unreachable database, on any engine: while
 * {@link #breakConnections() broken}, {@code getConnection()} throws, and every connection it handed
 * out throws from its next call (a statement, a commit), except {@code close()}, which still returns
 * the connection to the pool underneath. The failures carry SQL state {@code 08006} (connection
 * failure). Thread-safe.
 */
public final class BreakableDataSource extends DelegatingDataSource {

    private static final Set<String> ALWAYS_ALLOWED = Set.of("close", "isClosed", "toString", "hashCode", "equals");

    private volatile boolean broken;

    public BreakableDataSource(DataSource target) {
        super(target);
    }

    /** From now on, connections fail. */
    public void breakConnections() {
        broken = true;
    }

    /** From now on, connections work again. */
    public void restore() {
        broken = false;
    }

    @Override
    public Connection getConnection() throws SQLException {
        failIfBroken();
        return guard(super.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        failIfBroken();
        return guard(super.getConnection(username, password));
    }

    private Connection guard(Connection connection) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (!ALWAYS_ALLOWED.contains(method.getName())) {
                failIfBroken();
            }
            return invoke(connection, method, args);
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                handler);
    }

    private static Object invoke(Connection connection, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(connection, args);
        }
        catch (InvocationTargetException ex) {
            throw ex.getTargetException();
        }
    }

    private void failIfBroken() throws SQLException {
        if (broken) {
            throw new SQLNonTransientConnectionException("simulated outage: the database is unreachable", "08006");
        }
    }
}
