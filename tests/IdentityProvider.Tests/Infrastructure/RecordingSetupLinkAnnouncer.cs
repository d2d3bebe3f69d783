using System.Collections.Concurrent;
using IdentityProvider.Admin.Bootstrap;

namespace IdentityProvider.Tests.Infrastructure;

public sealed class RecordingSetupLinkAnnouncer : ISetupLinkAnnouncer
{
    private readonly ConcurrentQueue<SetupLink> _links = new();

    public IReadOnlyList<SetupLink> Links => [.. _links];

    public int OutstandingAnnouncements { get; private set; }

    public void Announce(SetupLink link) => _links.Enqueue(link);

    public void AnnounceOutstanding(DateTimeOffset expiresAt) => OutstandingAnnouncements++;
}
