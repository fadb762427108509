using Grpc.Core;
using Grpc.Core.Interceptors;

namespace QueueLab.Coordination;

/// <summary>
/// Sends a unary etcd call once more when etcd refuses it as Unauthenticated (<c>invalid auth token</c>: the token
/// expired, or etcd restarted and forgot it). dotnet-etcd has dropped the refused token by then, so the second
/// attempt authenticates again. etcd checks the token before it applies anything, so the refused call changed
/// nothing and repeating it is safe.
/// </summary>
public sealed class EtcdReauthenticationInterceptor : Interceptor
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return continuation(request, context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
        {
            return continuation(request, context);
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var current = continuation(request, context);
        var response = RespondAsync();
        return new AsyncUnaryCall<TResponse>(
            response,
            HeadersAsync(),
            () => current.GetStatus(),
            () => current.GetTrailers(),
            () => current.Dispose());

        // The headers of the attempt that answered (so they wait for it).
        async Task<Metadata> HeadersAsync()
        {
            await ((Task)response).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return await current.ResponseHeadersAsync.ConfigureAwait(false);
        }

        async Task<TResponse> RespondAsync()
        {
            try
            {
                return await current.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                current.Dispose();
                current = continuation(request, context);
                return await current.ResponseAsync.ConfigureAwait(false);
            }
        }
    }
}
