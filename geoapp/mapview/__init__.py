"""What a map shows and the data it draws: the MapView, the payloads the API serves, GeoJSON at a
level of detail, the folium base map and the offline browser assets. No Flask."""
from .view import MapView

__all__ = ["MapView"]
