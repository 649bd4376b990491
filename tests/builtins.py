"""The portal's own four category plugins, without any other installed one: the committed SDL
(schema/schema.graphql) is the schema they serve, whatever else is installed beside them."""

from importlib.metadata import entry_points

from core.plugins.registry import ENTRY_POINT_GROUP, CategoryRegistry, build_registry

DISTRIBUTION = "placement-portal"


def built_in_registry() -> CategoryRegistry:
    plugins = [
        entry.load()
        for entry in entry_points(group=ENTRY_POINT_GROUP)
        if entry.dist is not None and entry.dist.name == DISTRIBUTION
    ]
    return build_registry(plugins, load_entry_points=False)
