using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// Storage operations on messages the listener holds: renew, delete, make visible again. Each one takes the
/// message's turn and uses the pop receipt current inside it, so a renewal never invalidates the receipt a delete is
/// about to use.
/// </summary>
/// <param name="storageClock">Real time: visibility timeouts run on storage's clock, not on the gateway clock tests may fake.</param>
/// <param name="hold">How long each receive or renewal hides a message (<see cref="OperationPumpOptions.MessageHold"/>).</param>
internal sealed class MessageHolds(TimeProvider storageClock, TimeSpan hold)
{
    private long _renewals;

    /// <summary>Renewal requests sent so far.</summary>
    public long Renewals => Interlocked.Read(ref _renewals);

    /// <summary>Hides the message for another whole hold, unless it has been settled meanwhile.</summary>
    public async Task<HoldRenewal> RenewAsync(QueueClient queue, HeldMessage message, CancellationToken cancellationToken)
    {
        using var turn = await message.TakeTurnAsync(cancellationToken).ConfigureAwait(false);
        if (message.IsSettled)
        {
            return HoldRenewal.Settled;
        }
        var receipt = message.PopReceipt;
        // The new hold runs from when storage applies it, which is after this: counting from here is on the safe side.
        var sentAt = storageClock.GetUtcNow();
        Interlocked.Increment(ref _renewals);
        try
        {
            var updated = await queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: hold, cancellationToken: cancellationToken).ConfigureAwait(false);
            message.Held(updated.Value.PopReceipt, sentAt);
            return HoldRenewal.Renewed;
        }
        catch (RequestFailedException exception) when (exception.Status == 404 || exception.ErrorCode == QueueErrorCode.PopReceiptMismatch)
        {
            // Gone from under this receipt: the hold lapsed and the message was received again. When this instance
            // received it again, the held copy has the new receipt already and is still ours.
            return message.PopReceipt == receipt ? HoldRenewal.Lost : HoldRenewal.Renewed;
        }
    }

    /// <summary>Deletes a message whose fate is recorded (delivered, requeued or dead-lettered).</summary>
    public async Task DeleteAsync(QueueClient queue, HeldMessage message, CancellationToken cancellationToken)
    {
        using var turn = await message.TakeTurnAsync(cancellationToken).ConfigureAwait(false);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        message.Settle();
    }

    /// <summary>Lets the message reappear after <paramref name="visibleAfter"/>; zero hands it to any instance at once.</summary>
    public async Task ReturnAsync(QueueClient queue, HeldMessage message, TimeSpan visibleAfter, CancellationToken cancellationToken)
    {
        using var turn = await message.TakeTurnAsync(cancellationToken).ConfigureAwait(false);
        // Settled either way: if storage refuses, the hold ends by itself and the message reappears then.
        message.Settle();
        await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: visibleAfter, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What a hold renewal found.</summary>
internal enum HoldRenewal
{
    Renewed,
    /// <summary>Deleted, put back or released before its turn came: nothing to renew.</summary>
    Settled,
    /// <summary>Storage no longer knows the message under this instance's receipt: another instance may hold it.</summary>
    Lost,
}
