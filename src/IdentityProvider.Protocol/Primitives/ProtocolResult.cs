using System.Diagnostics.CodeAnalysis;

namespace IdentityProvider.Protocol.Primitives;

/// <summary>A validated value or the protocol error that stopped it.</summary>
public readonly struct ProtocolResult<T>
{
    private ProtocolResult(T? value, ProtocolError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ProtocolError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    public static ProtocolResult<T> Success(T value) => new(value, null);

    public static ProtocolResult<T> Failure(ProtocolError error) => new(default, error);

    public static implicit operator ProtocolResult<T>(ProtocolError error) => Failure(error);
}
