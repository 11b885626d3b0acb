"""The label vocabulary shared by the classifier, store, dashboard, digest and export.

Identifiers are English (stable in data files); every label has a Korean display name.
"""

SENTIMENTS = ("positive", "neutral", "negative")
SENTIMENT_KO = {"positive": "긍정", "neutral": "중립", "negative": "부정"}

# topic id -> Korean label shown to staff (definitions in docs/annotation.md)
TOPICS = {
    "model": "제도 모델·이원화",
    "committee": "자치경찰위원회 운영·독립성",
    "budget": "예산·재정",
    "staffing": "인력·조직",
    "workload": "현장 업무부담·지휘 혼선",
    "participation": "주민참여·맞춤형 치안",
    "cooperation": "지자체-경찰 협력",
    "awareness": "인지도·홍보",
    "evaluation": "성과평가",
    "safety_programs": "생활안전 정책·사업",
    "police_control": "경찰 통제·경찰국",
}

# The 18 autonomous police committees' areas (Gyeonggi has two committees), plus national.
REGIONS = (
    "서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종",
    "경기남부", "경기북부", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주",
)
NATIONAL = "전국"
ALL_REGIONS = REGIONS + (NATIONAL,)

SOURCE_KINDS = ("news", "civic", "committee", "government")
SOURCE_KIND_KO = {"news": "언론", "civic": "시민단체", "committee": "자치경찰위원회", "government": "정부"}
