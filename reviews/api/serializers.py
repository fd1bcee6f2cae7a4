from rest_framework import serializers

from reviews.models import TEXT_MAX_LENGTH, Review


class ReviewSerializer(serializers.ModelSerializer):
    """A published review (or, answering its author's POST, one waiting for moderation)."""

    author = serializers.CharField(source="author_name", read_only=True, help_text="As the page shows it: “Анна С.”")

    class Meta:
        model = Review
        fields = ("id", "rating", "text", "author", "created_at", "status")
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="Stars, 1 to 5.")
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="At least 10 characters.")
