using System.Net.Sockets;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace IdentityProvider.Infrastructure.Outage;

/// <summary>
/// Tells a database that cannot be reached (or is going down or coming up) apart from every other
/// failure. Only these are answered with 503: anything else is a bug and stays a 500.
/// </summary>
internal static class DatabaseOutage
{
    public static bool IsOutage(Exception exception)
    {
        // EF wraps what the driver threw (DbUpdateException, the execution strategy's
        // InvalidOperationException "likely due to a transient failure" around a 57P01 when the
        // server cuts a pooled connection), so the whole chain is looked at.
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres when IsUnavailable(postgres.SqlState):
                    return true;
                case PostgresException:
                    // The server answered: a constraint, a serialization failure, a syntax error.
                    // Not an outage, whatever lies further down the chain.
                    return false;
                case NpgsqlException:
                    // Raised by the driver, not the server: a refused or broken connection, a
                    // stream that ended, a timeout. The server is not there to answer.
                    return true;
                case RetryLimitExceededException:
                case SocketException:
                    return true;
            }
        }

        return false;
    }

    // PostgreSQL Appendix A: class 08 connection exception, class 53 insufficient resources
    // (53300 too_many_connections), 57P01 admin_shutdown, 57P02 crash_shutdown,
    // 57P03 cannot_connect_now (starting up or shutting down), class 58 system error (I/O).
    private static bool IsUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState is "57P01" or "57P02" or "57P03"
        || sqlState.StartsWith("58", StringComparison.Ordinal);
}
