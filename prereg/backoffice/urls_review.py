from django.urls import path

from .views import review

urlpatterns = [
    path("review/pending/", review.pending, name="pending"),
    path("review/batch/", review.batch_approve, name="batch_approve"),
    path("review/reviewed/", review.reviewed, name="reviewed"),
    path("review/forward/", review.forward, name="forward"),
    path("review/cross/", review.cross_review, name="cross_review"),
    path("review/cross/<int:pk>/revoke/", review.cross_review_revoke, name="cross_review_revoke"),
    path("review/<int:pk>/", review.review_detail, name="review"),
    path("review/<int:pk>/check/", review.review_check, name="review_check"),
    path("review/<int:pk>/decide/", review.review_decide, name="review_decide"),
    path("review/<int:pk>/recall/", review.review_recall, name="review_recall"),
    path("review/<int:pk>/edit/", review.review_edit, name="review_edit"),
    path("notices/", review.notices, name="notices"),
    path("notices/<int:pk>/read/", review.notice_read, name="notice_read"),
    path("notices/read-all/", review.notices_read_all, name="notices_read_all"),
]
