"""The GraphQL layer: strawberry types, inputs, resolvers, permissions and loaders.

It knows GraphQL and calls ``core`` services and loaders; it holds no rule of the domain.
"""
