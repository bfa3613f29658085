"""Engine-neutral views assembled from read-model documents for the API."""
