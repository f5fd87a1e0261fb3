using System.Text.Json.Nodes;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Tests.Queueing;

/// <summary>Received messages as the listener holds them, built from envelopes; each call is a new message.</summary>
internal static class HeldMessages
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    public const string Alice = "4915100000001";
    public const string Bob = "4915100000002";
    public const string Carol = "4915100000003";
    public const string Staff = "agent@company.test";

    private static int _ids;

    public static HeldMessage Update(string phone, int value, DateTimeOffset? insertedOn = null) =>
        Held(Envelope(phone, OperationStep.UpdateAttributes(new JsonObject { ["n"] = value })), insertedOn);

    /// <summary>An upsert naming a staff member: the update, then the assignment.</summary>
    public static HeldMessage UpdateThenAssign(string phone, int value, DateTimeOffset? insertedOn = null) =>
        Held(Envelope(phone, OperationStep.UpdateAttributes(new JsonObject { ["n"] = value }), OperationStep.AssignStaff(Staff)), insertedOn);

    public static HeldMessage Assign(string phone, DateTimeOffset? insertedOn = null) =>
        Held(Envelope(phone, OperationStep.AssignStaff(Staff)), insertedOn);

    /// <summary>A packed import message: several contacts in one message.</summary>
    public static HeldMessage PackedImport(params string[] phones) =>
        Held(OperationEnvelope.Pack([.. phones.Select(phone => Envelope(phone, OperationStep.UpdateAttributes(new JsonObject { ["n"] = 1 })) with { Source = "import:1", Lane = Lane.Bulk })]), null);

    public static HeldMessage Unreadable() => HeldMessage.Read(NextId(), "receipt-0", "not json", T0, T0);

    public static HeldMessage Held(OperationEnvelope envelope, DateTimeOffset? insertedOn, string? messageId = null, DateTimeOffset? heldSince = null) =>
        HeldMessage.Read(messageId ?? NextId(), "receipt-0", EnvelopeSerializer.Serialize(envelope), insertedOn ?? T0, heldSince ?? T0);

    public static OperationEnvelope Envelope(string phone, params OperationStep[] steps) => new()
    {
        OperationId = NextId(),
        PhoneNumber = phone,
        Steps = steps,
        Source = "api",
        ReceivedAt = T0,
        CorrelationId = "correlation",
    };

    /// <summary>The <c>n</c> value of each message, to read a group's order at a glance.</summary>
    public static int[] Values(MessageGroup group) =>
        [.. group.Messages.Select(message =>
        {
            Assert.True(EnvelopeSerializer.TryDeserialize(message.Text, out var envelope, out _));
            return envelope.Steps[0].Attributes?["n"]?.GetValue<int>() ?? -1;
        })];

    private static string NextId() => $"message-{Interlocked.Increment(ref _ids)}";
}
