from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from forum.models import Post

from .models import User

POSTS_PER_PAGE = 20


def profile(request, username):
    person = get_object_or_404(User, username=username, is_active=True)
    posts = Post.objects.filter(author=person).select_related("topic").order_by("-created_at")
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/profile.html", {"person": person, "page": page})
