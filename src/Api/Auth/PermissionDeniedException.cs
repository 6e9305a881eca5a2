namespace WebEngine.Api.Auth;

/// <summary>The signed-in user may not do this (403); thrown where the check needs more than the request classifier knows.</summary>
public sealed class PermissionDeniedException(string message) : Exception(message);
