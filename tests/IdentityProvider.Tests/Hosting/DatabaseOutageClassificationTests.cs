using System.Net.Sockets;
using IdentityProvider.Infrastructure.Outage;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// Which failures are answered with 503 (the database is not there) and which stay a 500 (the
/// database answered, and the request or the code is at fault). PostgreSQL Appendix A error codes.
/// </summary>
public sealed class DatabaseOutageClassificationTests
{
    [Theory]
    [InlineData("57P01", true)] // admin_shutdown: a fast shutdown cuts the connection
    [InlineData("57P03", true)] // cannot_connect_now: starting up or shutting down
    [InlineData("53300", true)] // too_many_connections
    [InlineData("08006", true)] // connection_failure
    [InlineData("23505", false)] // unique_violation: the server answered
    [InlineData("40001", false)] // serialization_failure: a conflict, handled where it happens
    [InlineData("42P01", false)] // undefined_table: a bug or a missing migration
    public void TellsAnOutage_ByTheServersErrorCode(string sqlState, bool outage)
    {
        var error = new PostgresException("message", "FATAL", "FATAL", sqlState);

        Assert.Equal(outage, DatabaseOutage.IsOutage(error));
        // As EF raises it for a cut connection, and as SaveChanges wraps it.
        Assert.Equal(outage, DatabaseOutage.IsOutage(new InvalidOperationException("likely due to a transient failure", error)));
        Assert.Equal(outage, DatabaseOutage.IsOutage(new DbUpdateException("save failed", error)));
    }

    [Fact]
    public void TreatsARefusedConnectionAsAnOutage() =>
        Assert.True(DatabaseOutage.IsOutage(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));

    [Fact]
    public void LeavesOtherFailuresAlone()
    {
        Assert.False(DatabaseOutage.IsOutage(new InvalidOperationException("a bug")));
        Assert.False(DatabaseOutage.IsOutage(new NullReferenceException()));
    }
}
